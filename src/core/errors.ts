/**
 * The error taxonomy. Every failure a step can meet is one of four kinds, and the kind alone decides
 * what the engine does next (see `decideAfterFailure` in ./retry.ts):
 *
 * - `user`      bad input or configuration. A person must fix something. No retry; run → `blocked`.
 * - `transient` timeout before sending, 429, 5xx, reset, expired session. Retry with backoff.
 * - `ambiguous` a write whose outcome is unknown (timeout or reset after the request was sent).
 *               Reconcile first; retry only when the effect is absent.
 * - `bug`       anything else. No silent retry loop; run → `dead` with the stack.
 *
 * Every error carries a stable `code` (documented in docs/errors.md; a test keeps the two in step).
 */

export type ErrorKind = 'user' | 'transient' | 'ambiguous' | 'bug';

export interface ErrorDetails {
  [key: string]: unknown;
}

/** The serialisable form stored in the journal and answered by the API. */
export interface SerializedError {
  kind: ErrorKind;
  code: string;
  message: string;
  retryAfterMs?: number | undefined;
  details?: ErrorDetails | undefined;
  stack?: string | undefined;
}

export abstract class OrderflowError extends Error {
  abstract readonly kind: ErrorKind;
  readonly code: string;
  readonly details: ErrorDetails | undefined;

  constructor(code: string, message: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
    this.name = new.target.name;
  }

  /** Whether the engine may try the same step again on its own. */
  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'ambiguous';
  }
}

/** Bad input or configuration: a person must act. Never retried automatically. */
export class UserError extends OrderflowError {
  readonly kind = 'user' as const;
}

/** A failure that may pass by itself: retried with backoff, honouring `retryAfterMs`. */
export class TransientError extends OrderflowError {
  readonly kind = 'transient' as const;
  readonly retryAfterMs: number | undefined;
  constructor(code: string, message: string, opts: { retryAfterMs?: number | undefined; details?: ErrorDetails; cause?: unknown } = {}) {
    super(code, message, opts.details, { cause: opts.cause });
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** A write that may or may not have happened. The step's reconcile probe runs before any retry. */
export class AmbiguousWriteError extends OrderflowError {
  readonly kind = 'ambiguous' as const;
}

/** A defect in our code or a connector's: dead letter with the stack. */
export class BugError extends OrderflowError {
  readonly kind = 'bug' as const;
}

/** Normalises anything thrown into the stored form. Unknown throwables are bugs. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof OrderflowError) {
    return {
      kind: err.kind,
      code: err.code,
      message: err.message,
      retryAfterMs: err instanceof TransientError ? err.retryAfterMs : undefined,
      details: err.details,
      stack: err.kind === 'bug' ? err.stack : undefined,
    };
  }
  if (err instanceof Error) {
    return { kind: 'bug', code: 'OF_BUG_UNCAUGHT', message: err.message, stack: err.stack };
  }
  return { kind: 'bug', code: 'OF_BUG_NON_ERROR_THROWN', message: `a non-Error value was thrown: ${String(err)}` };
}

/** Rebuilds a typed error from its stored form (used when a journal entry is re-read). */
export function deserializeError(s: SerializedError): OrderflowError {
  switch (s.kind) {
    case 'user':
      return new UserError(s.code, s.message, s.details);
    case 'transient':
      return new TransientError(s.code, s.message, { retryAfterMs: s.retryAfterMs, details: s.details });
    case 'ambiguous':
      return new AmbiguousWriteError(s.code, s.message, s.details);
    case 'bug':
      return new BugError(s.code, s.message, s.details);
  }
}
