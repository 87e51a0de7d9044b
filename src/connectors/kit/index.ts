export * from './types.ts';
export * from './http.ts';
export * from './hmac.ts';
export * from './limits.ts';
export * from './polling.ts';
export * from '../../core/errors.ts';
export * from './coalesce.ts';
