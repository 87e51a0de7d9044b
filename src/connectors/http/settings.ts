/**
 * Settings of a connection served by the generic `http` connector, read from the configuration's
 * untyped `settings` with messages that name the field and the fix.
 */
import { UserError } from '../../core/errors.ts';
import type { HmacEncoding } from '../kit/hmac.ts';

export type HttpAuth = { type: 'bearer'; token: string } | { type: 'basic'; username: string; password: string } | { type: 'header'; name: string; value: string };

export interface HttpWebhookSettings {
  /** The HMAC-SHA256 secret. Required unless `unsigned: true`. */
  secret?: string | undefined;
  /** Header carrying the signature of the raw body (hex or base64, may start with `sha256=`). */
  signatureHeader: string;
  signatureEncoding: HmacEncoding;
  /** Explicitly accept deliveries without a signature (a sender that cannot sign). */
  unsigned: boolean;
  /** Header whose value identifies a delivery (e.g. `X-Delivery-Id`); without one, the body's hash does. */
  dedupeHeader?: string | undefined;
  /** The event type emitted; `typeHeader`, when the delivery carries it, wins. */
  eventType: string;
  typeHeader?: string | undefined;
  /** A dotted path into the JSON body (e.g. `order.id`) naming the entity, for the lane. */
  entityPath?: string | undefined;
}

export interface HttpConnectorSettings {
  baseUrl: string;
  headers: Record<string, string>;
  auth?: HttpAuth | undefined;
  timeoutMs?: number | undefined;
  concurrency?: number | undefined;
  ratePerSecond?: number | undefined;
  /** The header that carries the step's idempotency key on writes; '' turns it off. */
  idempotencyHeader: string;
  webhook: HttpWebhookSettings;
}

type Bag = Record<string, unknown>;

function configError(connection: string, field: string, fix: string): UserError {
  return new UserError('OF_HTTP_CONFIG', `connection '${connection}': settings.${field} ${fix}`, { connection, field });
}

function str(bag: Bag, key: string, connection: string, path: string, required: true): string;
function str(bag: Bag, key: string, connection: string, path: string, required?: false): string | undefined;
function str(bag: Bag, key: string, connection: string, path: string, required = false): string | undefined {
  const v = bag[key];
  if (v === undefined || v === null) {
    if (required) throw configError(connection, path, 'is missing; set it to a non-empty string');
    return undefined;
  }
  if (typeof v !== 'string') throw configError(connection, path, `must be a string, got ${typeof v}`);
  if (required && v === '') throw configError(connection, path, 'is empty; set it to a non-empty string');
  return v;
}

function positive(bag: Bag, key: string, connection: string): number | undefined {
  const v = bag[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw configError(connection, key, `must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}

function obj(v: unknown, connection: string, path: string): Bag | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw configError(connection, path, 'must be an object');
  return v as Bag;
}

function parseAuth(v: unknown, connection: string): HttpAuth | undefined {
  const a = obj(v, connection, 'auth');
  if (!a) return undefined;
  switch (a.type) {
    case 'bearer':
      return { type: 'bearer', token: str(a, 'token', connection, 'auth.token', true) };
    case 'basic':
      return { type: 'basic', username: str(a, 'username', connection, 'auth.username', true), password: str(a, 'password', connection, 'auth.password') ?? '' };
    case 'header':
      return { type: 'header', name: str(a, 'name', connection, 'auth.name', true), value: str(a, 'value', connection, 'auth.value', true) };
    default:
      throw configError(connection, 'auth.type', `is ${JSON.stringify(a.type)}; use 'bearer', 'basic' or 'header'`);
  }
}

function parseWebhook(v: unknown, connection: string): HttpWebhookSettings {
  const w = obj(v, connection, 'webhook') ?? {};
  const encoding = str(w, 'signatureEncoding', connection, 'webhook.signatureEncoding') ?? 'hex';
  if (encoding !== 'hex' && encoding !== 'base64') throw configError(connection, 'webhook.signatureEncoding', `is '${encoding}'; use 'hex' or 'base64'`);
  if (w.unsigned !== undefined && typeof w.unsigned !== 'boolean') throw configError(connection, 'webhook.unsigned', 'must be true or false');
  return {
    secret: str(w, 'secret', connection, 'webhook.secret'),
    signatureHeader: (str(w, 'signatureHeader', connection, 'webhook.signatureHeader') ?? 'X-Signature').toLowerCase(),
    signatureEncoding: encoding,
    unsigned: w.unsigned === true,
    dedupeHeader: str(w, 'dedupeHeader', connection, 'webhook.dedupeHeader')?.toLowerCase(),
    eventType: str(w, 'eventType', connection, 'webhook.eventType') ?? 'webhook.received',
    typeHeader: str(w, 'typeHeader', connection, 'webhook.typeHeader')?.toLowerCase(),
    entityPath: str(w, 'entityPath', connection, 'webhook.entityPath'),
  };
}

export function parseHttpSettings(connection: string, settings: Bag): HttpConnectorSettings {
  const baseUrl = str(settings, 'baseUrl', connection, 'baseUrl', true);
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(u.protocol);
  } catch {
    throw configError(connection, 'baseUrl', `is '${baseUrl}', not an http(s) URL; use e.g. https://api.example.com/v1`);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(settings.headers, connection, 'headers') ?? {})) {
    if (typeof v !== 'string') throw configError(connection, `headers.${k}`, 'must be a string');
    headers[k] = v;
  }
  const idem = settings.idempotencyHeader;
  if (idem !== undefined && typeof idem !== 'string') throw configError(connection, 'idempotencyHeader', "must be a header name, or '' to send none");
  return {
    baseUrl,
    headers,
    auth: parseAuth(settings.auth, connection),
    timeoutMs: positive(settings, 'timeoutMs', connection),
    concurrency: positive(settings, 'concurrency', connection),
    ratePerSecond: positive(settings, 'ratePerSecond', connection),
    idempotencyHeader: idem ?? 'Idempotency-Key',
    webhook: parseWebhook(settings.webhook, connection),
  };
}

/** The header that authenticates every request, from `auth`. */
export function authHeaders(auth: HttpAuth | undefined): Record<string, string> {
  if (!auth) return {};
  switch (auth.type) {
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
    case 'header':
      return { [auth.name.toLowerCase()]: auth.value };
  }
}
