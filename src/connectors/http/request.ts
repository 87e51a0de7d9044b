/**
 * The `request` action: one call to any REST endpoint of the connection, with the kit's timeouts, limits
 * and error mapping, and the step's idempotency key in a header on writes.
 *
 * Reconcile (run by the engine before retrying an ambiguous write): the step's `reconcile` probe, a GET,
 * looks the effect up; a 2xx answer adopts it. Without a probe, PUT and DELETE are retried (idempotent by
 * HTTP's definition); POST and PATCH are not, and a person has to look.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { OrderflowError, UserError } from '../../core/errors.ts';
import type { ActionContext, ActionDefinition } from '../kit/types.ts';
import type { HttpClient, HttpResponse } from '../kit/http.ts';
import type { HttpConnectorSettings } from './settings.ts';

export interface HttpConnectorClient {
  http: HttpClient;
  settings: HttpConnectorSettings;
}

type Query = Record<string, string | number | boolean | undefined>;

export interface ReconcileProbe {
  method: 'GET';
  /** May contain `{idempotencyKey}`, replaced by the step's key (URL-encoded). */
  path: string;
  query?: Query | undefined;
  /** Treat a 2xx answer whose JSON body is an empty array as "not found" (search endpoints). */
  absentWhenEmpty?: boolean | undefined;
}

export interface HttpRequestInput {
  method: string;
  path: string;
  query?: Query | undefined;
  headers?: Record<string, string> | undefined;
  body?: unknown;
  reconcile?: ReconcileProbe | undefined;
}

export interface HttpRequestOutput {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the answer says it is JSON, the text otherwise, null when empty. */
  body: unknown;
}

const METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE']);
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const IDEMPOTENT_WRITES = new Set(['PUT', 'DELETE']);

function inputError(field: string, fix: string): UserError {
  return new UserError('OF_HTTP_INPUT', `http request input: ${field} ${fix}`, { field });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkQuery(v: unknown, field: string): Query | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v)) throw inputError(field, 'must be an object of names to strings, numbers or booleans');
  for (const [k, x] of Object.entries(v)) {
    if (x !== undefined && typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') throw inputError(`${field}.${k}`, 'must be a string, number or boolean');
  }
  return v as Query;
}

/** Checks the step input at run time: it comes from a flow file or a mapping, not from typed code. */
export function parseRequestInput(raw: unknown): HttpRequestInput {
  if (!isRecord(raw)) throw inputError('(the input)', 'must be an object { method, path, query?, headers?, body?, reconcile? }');
  const method = typeof raw.method === 'string' ? raw.method.toUpperCase() : '';
  if (!METHODS.has(method)) throw inputError('method', `is ${JSON.stringify(raw.method)}; use one of ${[...METHODS].join(', ')}`);
  if (typeof raw.path !== 'string' || raw.path === '') throw inputError('path', "is missing; give the path below the connection's baseUrl, e.g. /orders");
  let headers: Record<string, string> | undefined;
  if (raw.headers !== undefined) {
    if (!isRecord(raw.headers)) throw inputError('headers', 'must be an object of header names to strings');
    headers = {};
    for (const [k, v] of Object.entries(raw.headers)) {
      if (typeof v !== 'string') throw inputError(`headers.${k}`, 'must be a string');
      headers[k] = v;
    }
  }
  let reconcile: ReconcileProbe | undefined;
  if (raw.reconcile !== undefined) {
    const r = raw.reconcile;
    if (!isRecord(r) || typeof r.path !== 'string' || r.path === '') throw inputError('reconcile', "must be { method: 'GET', path } naming where the effect can be looked up");
    if (r.method !== undefined && String(r.method).toUpperCase() !== 'GET') throw inputError('reconcile.method', `is ${JSON.stringify(r.method)}; the probe must be a GET`);
    reconcile = { method: 'GET', path: r.path, query: checkQuery(r.query, 'reconcile.query'), absentWhenEmpty: r.absentWhenEmpty === true };
  }
  return { method, path: raw.path, query: checkQuery(raw.query, 'query'), headers, body: raw.body, reconcile };
}

function flattenHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function toOutput(res: HttpResponse): HttpRequestOutput {
  const type = String(res.headers['content-type'] ?? '');
  let body: unknown = null;
  if (res.body.length > 0) {
    if (/[/+]json\b/i.test(type)) {
      try {
        body = res.json();
      } catch {
        body = res.text();
      }
    } else body = res.text();
  }
  return { status: res.status, headers: flattenHeaders(res.headers), body };
}

function withKey(path: string, key: string): string {
  return path.split('{idempotencyKey}').join(encodeURIComponent(key));
}

async function run(ctx: ActionContext<HttpConnectorClient>, raw: unknown): Promise<HttpRequestOutput> {
  const input = parseRequestInput(raw);
  const { settings, http } = ctx.client;
  const headers: Record<string, string> = { ...input.headers };
  const idem = settings.idempotencyHeader;
  if (!READS.has(input.method) && idem !== '' && !Object.keys(headers).some((k) => k.toLowerCase() === idem.toLowerCase())) {
    headers[idem] = ctx.idempotencyKey;
  }
  const res = await http.request({ method: input.method, path: input.path, query: input.query, headers, body: input.body, signal: ctx.signal });
  return toOutput(res);
}

async function reconcile(ctx: ActionContext<HttpConnectorClient>, raw: unknown): Promise<HttpRequestOutput | undefined> {
  const input = parseRequestInput(raw);
  const probe = input.reconcile;
  if (!probe) {
    if (IDEMPOTENT_WRITES.has(input.method) || READS.has(input.method)) return undefined;
    throw new UserError(
      'OF_HTTP_NO_PROBE',
      `the outcome of ${input.method} ${input.path} on connection '${ctx.connection.name}' is unknown and the step has no reconcile probe; check the target, then retry or cancel the run, and add reconcile: { method: GET, path } to the step input`,
      { connection: ctx.connection.name },
    );
  }
  const path = withKey(probe.path, ctx.idempotencyKey);
  try {
    const res = await ctx.client.http.request({ method: 'GET', path, query: probe.query, signal: ctx.signal });
    const out = toOutput(res);
    if (probe.absentWhenEmpty && Array.isArray(out.body) && out.body.length === 0) return undefined;
    ctx.log.info({ probe: path, status: res.status }, 'reconcile probe found the effect');
    return out;
  } catch (err) {
    // 404 / 410: the effect does not exist, so the write may be made again. Anything else stays an error.
    const status = err instanceof OrderflowError ? err.details?.status : undefined;
    if (status === 404 || status === 410) return undefined;
    throw err;
  }
}

export const requestAction: ActionDefinition<HttpConnectorClient, unknown, HttpRequestOutput> = {
  description: 'Calls any REST endpoint of the connection: { method, path, query?, headers?, body?, reconcile? } → { status, headers, body }.',
  write: true,
  run,
  reconcile,
};
