/**
 * Every error answer has one shape, `{ error: { code, message, kind, details? } }`, and its status
 * follows from the error's code or kind. Stacks and unknown errors' messages never leave the server:
 * a bug answers 500 with the request id to look up in the log.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { OrderflowError, TransientError, UserError, type ErrorDetails, type ErrorKind } from '../core/errors.ts';
import { scrubSecrets } from './secrets.ts';

export interface ErrorBody {
  error: { code: string; message: string; kind: ErrorKind; details?: ErrorDetails | undefined };
}

const STATUS_BY_CODE: Record<string, number> = {
  OF_WEBHOOK_BAD_SIGNATURE: 401,
  OF_SERVER_UNAUTHORIZED: 401,
  OF_CONNECTION_UNKNOWN: 404,
  OF_WEBHOOK_NO_TRIGGER: 404,
  OF_RUN_NOT_FOUND: 404,
  OF_EVENT_NOT_FOUND: 404,
  OF_SERVER_ROUTE_NOT_FOUND: 404,
  OF_RUN_NOT_RETRYABLE: 409,
  OF_RUN_NOT_CANCELLABLE: 409,
  OF_SIGNAL_NOT_WAITING: 409,
  OF_RUN_NOT_AWAITING_APPROVAL: 409,
  OF_FLOW_UNKNOWN: 409,
  OF_RETRY_STEP_MISSING: 409,
  OF_SERVER_BODY_TOO_LARGE: 413,
  OF_SERVER_UNSUPPORTED_MEDIA_TYPE: 415,
  OF_WEBHOOK_BAD_BODY: 400,
  OF_SERVER_BAD_JSON: 400,
  OF_SERVER_INVALID_REQUEST: 400,
  OF_SERVER_BAD_REQUEST: 400,
};

/** How long a sender should wait before retrying after a 503, when the error does not say. */
const DEFAULT_RETRY_AFTER_S = 5;

/** Error codes of the database drivers meaning "the store cannot be reached right now". */
const STORE_DOWN = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|SQLITE_BUSY|SQLITE_LOCKED|SQLITE_IOERR.*|SQLITE_FULL|08...|57P0[1-3]|53...)$/;

export function statusOf(err: OrderflowError): number {
  const byCode = STATUS_BY_CODE[err.code];
  if (byCode) return byCode;
  switch (err.kind) {
    case 'user':
      return 422;
    case 'transient':
    case 'ambiguous':
      return 503;
    case 'bug':
      return 500;
  }
}

export function bodyOf(err: OrderflowError): ErrorBody {
  const details = err.details === undefined ? undefined : scrubSecrets(err.details);
  return { error: { code: err.code, message: err.message, kind: err.kind, ...(details ? { details } : {}) } };
}

/** Sends an orderflow error with its status (and Retry-After for a 503). */
export function sendError(reply: FastifyReply, err: OrderflowError): FastifyReply {
  const status = statusOf(err);
  if (status === 503) {
    const ms = err instanceof TransientError ? err.retryAfterMs : undefined;
    reply.header('retry-after', String(ms === undefined ? DEFAULT_RETRY_AFTER_S : Math.max(1, Math.ceil(ms / 1000))));
  }
  return reply.code(status).type('application/json; charset=utf-8').send(bodyOf(err));
}

interface ValidationIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function fieldOf(context: string, issue: ValidationIssue): string {
  const parts = (issue.instancePath ?? '').split('/').filter(Boolean);
  const missing = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  if (typeof missing === 'string') parts.push(missing);
  return [context, ...parts].join('.');
}

/** Turns fastify's schema validation failure into a message that names the field and the fix. */
export function validationError(err: FastifyError): UserError {
  const context = err.validationContext ?? 'request';
  const issues = (err.validation ?? []) as ValidationIssue[];
  const allowed = new Map<string, unknown[]>();
  for (const i of issues) if (i.keyword === 'const') allowed.set(fieldOf(context, i), [...(allowed.get(fieldOf(context, i)) ?? []), i.params?.allowedValue]);
  const first = issues.find((i) => i.keyword !== 'const' && i.keyword !== 'anyOf') ?? issues[0];
  const field = first ? fieldOf(context, first) : context;
  const choices = allowed.get(field);
  let what: string;
  if (choices) what = `must be one of: ${choices.map(String).join(', ')}`;
  else if (first?.keyword === 'required') what = 'is required';
  else if (first?.keyword === 'additionalProperties') what = 'is not a known field; remove it';
  else what = first?.message ?? 'is invalid';
  const list = [...new Set(issues.filter((i) => i.keyword !== 'anyOf').map((i) => `${fieldOf(context, i)} ${i.message ?? 'is invalid'}`))];
  return new UserError('OF_SERVER_INVALID_REQUEST', `${field} ${what}; see GET /api/docs for the request schema`, { field, issues: list });
}

function isStoreDown(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORE_DOWN.test(code);
}

/** Maps anything thrown in a route into an orderflow error; unknown throwables become bugs. */
export function toOrderflowError(err: unknown, bodyLimitBytes: number): OrderflowError {
  if (err instanceof OrderflowError) return err;
  const fe = err as Partial<FastifyError> | null;
  if (fe?.code === 'FST_ERR_VALIDATION' || (fe?.validation && fe.validation.length > 0)) return validationError(fe as FastifyError);
  if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe?.statusCode === 413) {
    return new UserError('OF_SERVER_BODY_TOO_LARGE', `the request body is larger than the limit of ${bodyLimitBytes} bytes; send a smaller body or raise server.bodyLimitBytes`, { limitBytes: bodyLimitBytes });
  }
  if (isStoreDown(err)) {
    return new TransientError('OF_SERVER_STORE_UNAVAILABLE', 'the store cannot be reached right now; nothing was changed, retry later', { retryAfterMs: DEFAULT_RETRY_AFTER_S * 1000 });
  }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500 && typeof fe.code === 'string' && fe.code.startsWith('FST_')) {
    // fastify's own client errors (bad content length, empty JSON body, …) carry safe, specific messages.
    return new UserError('OF_SERVER_BAD_REQUEST', fe.message ?? 'the request is malformed', { reason: fe.code });
  }
  return new ServerBug(undefined);
}

/** What a client sees of a bug: a code and the request id to find the cause in the log. Never the stack. */
class ServerBug extends OrderflowError {
  readonly kind = 'bug' as const;
  constructor(requestId: string | undefined) {
    super('OF_SERVER_INTERNAL', 'the server failed while handling this request; the cause is in the server log under this request id', requestId ? { requestId } : undefined);
  }
}

/** fastify's error handler: one answer shape for every route, a log line for every failure. */
export function errorHandler(bodyLimitBytes: number) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const mapped = toOrderflowError(err, bodyLimitBytes);
    const status = statusOf(mapped);
    if (status >= 500) request.log.error({ err, code: mapped.code }, 'request failed');
    else request.log.info({ code: mapped.code, status }, mapped.message);
    return sendError(reply, mapped.kind === 'bug' ? new ServerBug(request.id) : mapped);
  };
}
