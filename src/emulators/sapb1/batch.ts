/**
 * `POST /$batch` (spec §4): a multipart/mixed body of requests and changesets. Changesets are atomic (all
 * parts or none: the state is rolled back when one fails), later parts may reference an entity created by
 * an earlier one as `$<Content-ID>`, the batch stops at the first failed part, and the outer status is 202
 * (v1) or 200 (v2). `Content-ID` is optional in v1 changesets and mandatory in v2.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { dispatch, type Emu } from './router.ts';
import { badRequest, faultResponse, SapFault } from './sap-errors.ts';
import type { EmuRequest, EmuResponse } from './types.ts';

interface Part {
  headers: Record<string, string>;
  body: string;
}

function boundaryOf(contentType: string | undefined): string | undefined {
  const m = contentType ? /boundary=("?)([^";]+)\1/i.exec(contentType) : null;
  return m?.[2];
}

function splitMultipart(body: string, boundary: string): Part[] {
  const text = body.replace(/\r\n/g, '\n');
  const delim = `--${boundary}`;
  const end = text.indexOf(`${delim}--`);
  if (end < 0) throw incomplete();
  const chunks = text.slice(0, end).split(delim).slice(1);
  return chunks.map((c) => {
    const chunk = c.replace(/^\n/, '');
    const blank = chunk.indexOf('\n\n');
    const head = blank < 0 ? chunk : chunk.slice(0, blank);
    return { headers: parseHeaders(head), body: blank < 0 ? '' : chunk.slice(blank + 2).replace(/\n$/, '') };
  });
}

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

const incomplete = (): SapFault => new SapFault(400, -1000, 'Incomplete Batch Request Body!');

/** The request inside one `application/http` part. */
function innerRequest(outer: EmuRequest, part: Part, refs: Map<string, string>): EmuRequest {
  const lines = part.body.split('\n');
  const first = lines[0] ?? '';
  const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d\.\d)?$/.exec(first.trim());
  if (!m) throw incomplete();
  let url = m[2]!;
  const ref = /^\$(\d+)/.exec(url);
  if (ref) {
    const target = refs.get(ref[1]!);
    if (!target) throw badRequest(`Content-ID reference $${ref[1]} does not name an earlier part of the changeset`);
    url = target + url.slice(ref[0].length);
  }
  const u = new URL(url, `${outer.base}/`);
  const path = decodeURIComponent(u.pathname.replace(/^\/b1s\/v[12]/, '')) || '/';
  const rest = lines.slice(1).join('\n');
  const blank = rest.indexOf('\n\n');
  const headers = parseHeaders(blank < 0 ? rest : rest.slice(0, blank));
  return {
    ...outer,
    method: m[1]!,
    path: path.startsWith('/') ? path : `/${path}`,
    query: u.searchParams,
    headers: { ...headers, cookie: outer.headers.cookie },
    rawBody: blank < 0 ? '' : rest.slice(blank + 2),
  };
}

function httpPart(res: EmuResponse, version: 'v1' | 'v2', contentId?: string): string {
  const head = [`Content-Type: application/http`, 'Content-Transfer-Encoding: binary'];
  if (contentId) head.push(`Content-ID: ${contentId}`);
  const lines = [`HTTP/1.1 ${res.status} ${STATUS_CODES[res.status] ?? ''}`];
  for (const [k, v] of Object.entries(res.headers ?? {})) if (k !== 'set-cookie') lines.push(`${k}: ${Array.isArray(v) ? v.join(', ') : v}`);
  let body = '';
  if (res.jsonText !== undefined || res.json !== undefined) {
    lines.push(`Content-Type: ${version === 'v1' ? 'application/json;odata=minimalmetadata;charset=utf-8' : 'application/json;charset=utf-8'}`);
    body = res.jsonText ?? JSON.stringify(res.json);
  } else if (res.text !== undefined) body = res.text;
  return `${head.join('\r\n')}\r\n\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

const ok = (status: number): boolean => status >= 200 && status < 300;

export function handleBatch(emu: Emu, req: EmuRequest): EmuResponse {
  const boundary = boundaryOf(req.headers['content-type']);
  if (!boundary) return faultResponse(req.version, incomplete());
  let parts: Part[];
  try {
    parts = splitMultipart(req.rawBody, boundary);
  } catch (e) {
    if (e instanceof SapFault) return faultResponse(req.version, e);
    throw e;
  }
  if (parts.length === 0) return faultResponse(req.version, incomplete());
  const outBoundary = `batchresponse_${randomUUID()}`;
  const out: string[] = [];
  for (const part of parts) {
    const csBoundary = boundaryOf(part.headers['content-type']);
    if (csBoundary && /multipart\/mixed/i.test(part.headers['content-type'] ?? '')) {
      const result = runChangeset(emu, req, part, csBoundary);
      out.push(result.text);
      if (!result.ok) break;
      continue;
    }
    let res: EmuResponse;
    try {
      res = dispatch(emu, innerRequest(req, part, new Map()));
    } catch (e) {
      if (!(e instanceof SapFault)) throw e;
      res = faultResponse(req.version, e);
    }
    out.push(httpPart(res, req.version));
    if (!ok(res.status)) break;
  }
  const text = `${out.map((p) => `--${outBoundary}\r\n${p}\r\n`).join('')}--${outBoundary}--\r\n`;
  return { status: req.version === 'v1' ? 202 : 200, headers: { 'content-type': `multipart/mixed;boundary=${outBoundary}` }, text };
}

function runChangeset(emu: Emu, outer: EmuRequest, part: Part, boundary: string): { ok: boolean; text: string } {
  const snapshot = emu.store.snapshot();
  const refs = new Map<string, string>();
  const results: string[] = [];
  let failed: EmuResponse | undefined;
  try {
    for (const sub of splitMultipart(part.body, boundary)) {
      const contentId = sub.headers['content-id'];
      if (outer.version === 'v2' && !contentId) throw badRequest('Content-ID is mandatory for every request of a changeset in OData v4');
      const res = dispatch(emu, innerRequest(outer, sub, refs));
      if (!ok(res.status)) {
        failed = res;
        break;
      }
      const loc = res.headers?.location;
      if (contentId && typeof loc === 'string') refs.set(contentId, new URL(loc).pathname.replace(/^\/b1s\/v[12]/, ''));
      results.push(httpPart(res, outer.version, contentId));
    }
  } catch (e) {
    if (!(e instanceof SapFault)) throw e;
    failed = faultResponse(outer.version, e);
  }
  if (failed) {
    // All or nothing: undo what the earlier parts of this changeset did, answer with the failure alone.
    emu.store.restore(snapshot);
    return { ok: false, text: httpPart(failed, outer.version) };
  }
  const csOut = `changesetresponse_${randomUUID()}`;
  const body = `${results.map((r) => `--${csOut}\r\n${r}\r\n`).join('')}--${csOut}--`;
  return { ok: true, text: `Content-Type: multipart/mixed;boundary=${csOut}\r\n\r\n${body}` };
}
