/**
 * Reading one HTTP request for the emulator: its target split into path and query, and its body. Both take
 * the short way for the common case (a plain origin-form target, a request without a body) and otherwise
 * leave the work to WHATWG `URL` and the request stream.
 */
import type http from 'node:http';

export interface Target {
  /** The target's path, not yet percent-decoded. */
  pathname: string;
  query: URLSearchParams;
}

/**
 * Printable ASCII without `#` or `\`, starting with one `/`: for such a target `URL` would only
 * percent-encode characters that the caller (`decodeURIComponent`) and `URLSearchParams` decode again.
 */
const PLAIN = /^\/(?!\/)[!"$-[\]-~]*$/;
/** A `.` or `..` path segment, which `URL` would resolve. */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:\/|$)/i;

export function parseTarget(raw: string): Target {
  const q = raw.indexOf('?');
  const pathname = q < 0 ? raw : raw.slice(0, q);
  if (PLAIN.test(raw) && !DOT_SEGMENT.test(pathname)) {
    // `?` first: URLSearchParams drops one leading `?`, exactly as URL drops the one that starts the query.
    return { pathname, query: new URLSearchParams(q < 0 ? '' : raw.slice(q)) };
  }
  const url = new URL(raw, 'http://x');
  return { pathname: url.pathname, query: url.searchParams };
}

/** The request body as text; `''` at once when the request says it has none. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  const length = req.headers['content-length'];
  if ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
