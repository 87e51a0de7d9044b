/**
 * `$batch` on the client side: builds the multipart/mixed body (requests and atomic changesets, every
 * changeset part with a Content-ID, which v2 requires) and reads the multipart answer back into one
 * result per answered part. SL stops at the first failed part, so there may be fewer results than parts.
 */
import { randomUUID } from 'node:crypto';

export interface BatchRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the service root (`Items('A1')`), or `$<contentId>` to name an earlier changeset part. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export type BatchItem = BatchRequest | { changeset: BatchRequest[] };

export interface BatchResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  contentId?: string | undefined;
}

function httpPart(r: BatchRequest, servicePath: string, contentId?: number): string {
  const head = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (contentId !== undefined) head.push(`Content-ID: ${contentId}`);
  const url = r.path.startsWith('$') ? r.path : `${servicePath}/${r.path.replace(/^\//, '')}`;
  const lines = [`${r.method} ${url} HTTP/1.1`];
  for (const [k, v] of Object.entries(r.headers ?? {})) lines.push(`${k}: ${v}`);
  let body = '';
  if (r.body !== undefined) {
    lines.push('Content-Type: application/json');
    body = JSON.stringify(r.body);
  }
  return `${head.join('\r\n')}\r\n\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** `servicePath` is the URL path of the service root, e.g. `/b1s/v1`. */
export function buildBatch(items: BatchItem[], servicePath: string): { contentType: string; body: string } {
  const boundary = `batch_${randomUUID()}`;
  const parts = items.map((item) => {
    if (!('changeset' in item)) return httpPart(item, servicePath);
    const cs = `changeset_${randomUUID()}`;
    const inner = item.changeset.map((r, i) => `--${cs}\r\n${httpPart(r, servicePath, i + 1)}\r\n`).join('');
    return `Content-Type: multipart/mixed;boundary=${cs}\r\n\r\n${inner}--${cs}--`;
  });
  const body = `${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\n`;
  return { contentType: `multipart/mixed;boundary=${boundary}`, body };
}

function boundaryOf(contentType: string | undefined): string | undefined {
  return contentType ? /boundary=("?)([^";]+)\1/i.exec(contentType)?.[2] : undefined;
}

function headersOf(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function splitParts(text: string, boundary: string): Array<{ headers: Record<string, string>; body: string }> {
  const delim = `--${boundary}`;
  const end = text.indexOf(`${delim}--`);
  return text
    .slice(0, end < 0 ? undefined : end)
    .split(delim)
    .slice(1)
    .map((chunk) => {
      const c = chunk.replace(/^\n/, '');
      const blank = c.indexOf('\n\n');
      return { headers: headersOf(blank < 0 ? c : c.slice(0, blank)), body: blank < 0 ? '' : c.slice(blank + 2).replace(/\n$/, '') };
    });
}

function readHttp(body: string, contentId?: string): BatchResult {
  const blank = body.indexOf('\n\n');
  const head = blank < 0 ? body : body.slice(0, blank);
  const [statusLine = '', ...rest] = head.split('\n');
  const status = Number(/^HTTP\/\d\.\d\s+(\d{3})/.exec(statusLine)?.[1] ?? 0);
  const text = blank < 0 ? '' : body.slice(blank + 2).trim();
  let parsed: unknown = text;
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      parsed = text;
    }
  }
  return { status, headers: headersOf(rest.join('\n')), body: text === '' ? undefined : parsed, contentId };
}

export function parseBatchResponse(contentType: string | undefined, raw: string): BatchResult[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) return [];
  const text = raw.replace(/\r\n/g, '\n');
  const out: BatchResult[] = [];
  for (const part of splitParts(text, boundary)) {
    const inner = boundaryOf(part.headers['content-type']);
    if (inner && /multipart\/mixed/i.test(part.headers['content-type'] ?? '')) {
      for (const sub of splitParts(part.body, inner)) out.push(readHttp(sub.body, sub.headers['content-id']));
    } else {
      out.push(readHttp(part.body, part.headers['content-id']));
    }
  }
  return out;
}
