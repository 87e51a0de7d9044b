/**
 * SAP's two error shapes mapped into the taxonomy. v1 documents `{"error":{"code":-10,"message":{"lang","value"}}}`,
 * v2 and real v1 dumps send `{"error":{"code":"-2028","message":"…"}}`: code is read as string-or-number and
 * message as string-or-`{value}`. SAP's code and text are kept in `details.sapCode` / `details.sapMessage`.
 */
import { AmbiguousWriteError, TransientError, UserError, type OrderflowError } from '../../core/errors.ts';
import { parseRetryAfter, type HttpResponse } from '../kit/index.ts';

/** What the mapping needs of an answer: a whole HTTP response or one part of a `$batch` answer. */
export interface SapAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text(): string;
}

export interface SapErrorInfo {
  code: string | undefined;
  message: string | undefined;
}

export function parseSapError(text: string): SapErrorInfo {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const e = body.error;
    if (!e || typeof e !== 'object') return { code: undefined, message: undefined };
    const code = typeof e.code === 'number' || typeof e.code === 'string' ? String(e.code) : undefined;
    const m = e.message;
    const message = typeof m === 'string' ? m : m && typeof m === 'object' && typeof (m as { value?: unknown }).value === 'string' ? (m as { value: string }).value : undefined;
    return { code, message };
  } catch {
    return { code: undefined, message: undefined };
  }
}

/** SAP answers an unknown or expired session with 401 and code 301 (either shape). */
export function isSessionExpired(res: HttpResponse): boolean {
  return res.status === 401;
}

export interface ErrorContext {
  connection: string;
  method: string;
  path: string;
  write: boolean;
}

export function mapSapError(res: SapAnswer, ctx: ErrorContext): OrderflowError {
  const { code, message } = parseSapError(res.text());
  const text = message ?? res.text().slice(0, 200);
  const where = `${ctx.method} ${ctx.path.split('?')[0]} on connection '${ctx.connection}'`;
  const details = { status: res.status, sapCode: code, sapMessage: message, method: ctx.method, path: ctx.path };
  const ra = res.headers['retry-after'];
  const retryAfterMs = parseRetryAfter(Array.isArray(ra) ? ra[0] : ra);
  const s = res.status;
  if (s === 404 || code === '-2028') return new UserError('OF_SAP_NOT_FOUND', `${where}: SAP found no such record (${code ?? s}: ${text})`, details);
  if (s === 412 || code === '-2039') {
    return new TransientError('OF_SAP_ETAG_MISMATCH', `${where}: the record changed since it was read (${code ?? s}: ${text}); read it again and retry`, { details });
  }
  if (s === 401) return new TransientError('OF_SAP_SESSION_REJECTED', `${where}: SAP rejected the session again right after a new login (${code ?? s}: ${text})`, { details });
  if (s === 403) return new UserError('OF_SAP_FORBIDDEN', `${where}: the SAP user lacks the authorization (${text}); grant it to the connection's user`, details);
  if (s === 429 || s === 503 || s === 408) return new TransientError('OF_SAP_UNAVAILABLE', `${where}: SAP is unavailable (${s})`, { retryAfterMs, details });
  if (s >= 500) {
    if (ctx.write) return new AmbiguousWriteError('OF_SAP_WRITE_5XX', `${where} answered ${s} (${text}); the write may have been applied`, details);
    return new TransientError('OF_SAP_SERVER_ERROR', `${where} answered ${s} (${text})`, { retryAfterMs, details });
  }
  return new UserError('OF_SAP_REJECTED', `${where}: SAP rejected the request (${code ?? s}: ${text})`, details);
}
