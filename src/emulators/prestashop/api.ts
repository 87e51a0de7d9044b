/**
 * The `/api/` dispatcher: key extraction (Basic user, then `ws_key`), the checks in PrestaShop's order
 * (no key at all → plain-text 401; webservice off → 503/22; key → 17/18/20/21; resource → 19/26; method →
 * 23/25/101), `ps_method` overrides, output format negotiation, then read or write.
 */
import { hash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from './faults.ts';
import { apiRootXml, errorsJson, errorsXml, singleJson, singleXml, type RenderContext } from './output.ts';
import { didYouMean, PsError, psError } from './query.ts';
import { readResource, associationsOf } from './read.ts';
import { RESOURCES, type Method, type ResourceDef } from './schema.ts';
import type { Row, ShopState } from './state.ts';
import { post, remove, update } from './writes.ts';

export interface KeyConfig {
  key: string;
  active: boolean;
  /** Resource → methods granted; 'all' grants every method on every resource. */
  permissions: 'all' | Record<string, Method[]>;
}

export interface ApiContext {
  state: ShopState;
  keys: Map<string, KeyConfig>;
  psVersion: '8' | '1.7';
  faults: Faults;
  apiBase: string;
}

const REALM = 'Basic realm="Welcome to PrestaShop Webservice, please enter the authentication key as the login. No password required."';
const KNOWN_METHODS = new Set<string>(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

export interface ApiAnswer {
  status: number;
  body: string;
  json: boolean;
  headers?: Record<string, string>;
  /** The write was applied: a commit-drop fault may now drop the connection. */
  wrote?: boolean;
}

/** Basic credentials → key, for the few distinct headers a client sends (bounded: cleared when full). */
const basicKeys = new Map<string, string>();

function basicKey(credentials: string): string {
  let key = basicKeys.get(credentials);
  if (key === undefined) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    key = (colon < 0 ? decoded : decoded.slice(0, colon)).trim();
    if (basicKeys.size >= 64) basicKeys.clear();
    basicKeys.set(credentials, key);
  }
  return key;
}

function keyFrom(req: IncomingMessage, params: URLSearchParams): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) return basicKey(auth.slice(6));
  const ws = params.get('ws_key');
  return ws === null ? null : ws.trim();
}

function wantsJson(req: IncomingMessage, params: URLSearchParams): boolean {
  const header = req.headers['output-format'] ?? req.headers['io-format'];
  const v = (typeof header === 'string' ? header : undefined) ?? params.get('output_format') ?? params.get('io_format') ?? 'XML';
  return v.toUpperCase() === 'JSON';
}

function authenticate(ctx: ApiContext, key: string): KeyConfig {
  if (key === '') throw psError(401, 17, 'Authentication key is empty');
  if (key.length !== 32) throw psError(401, 18, 'Invalid authentication key format');
  const cfg = ctx.keys.get(key);
  const errors: Array<{ code: number; message: string }> = [];
  if (!cfg?.active) errors.push({ code: 20, message: 'Authentification key is not active' });
  const perms = cfg?.active ? cfg.permissions : undefined;
  if (!perms || (perms !== 'all' && !Object.values(perms).some((m) => m.length))) errors.push({ code: 21, message: 'No permission for this authentication key' });
  if (errors.length || !cfg) throw new PsError(401, errors);
  return cfg;
}

/** The key grants the method on the resource, and the resource allows it. */
function allows(cfg: KeyConfig, def: ResourceDef, method: Method): boolean {
  const granted = cfg.permissions === 'all' || (cfg.permissions[def.name] ?? []).includes(method);
  return granted && !def.forbidden?.includes(method);
}

export function handleApi(ctx: ApiContext, req: IncomingMessage, url: URL, rawBody: string): ApiAnswer {
  const params = url.searchParams;
  const json = wantsJson(req, params);
  const key = keyFrom(req, params);
  if (key === null) return { status: 401, body: '401 Unauthorized', json: false, headers: { 'www-authenticate': REALM, 'content-type': 'text/plain;charset=utf-8' } };
  try {
    if (ctx.faults.disabled) throw psError(503, 22, 'The PrestaShop webservice is disabled. Please activate it in the PrestaShop Back Office');
    let cfg: KeyConfig;
    try {
      cfg = authenticate(ctx, key);
    } catch (e) {
      if (e instanceof PsError) return { ...render(e, json), headers: { 'www-authenticate': REALM } };
      throw e;
    }
    let method = (req.method ?? 'GET').toUpperCase();
    const override = params.get('ps_method');
    if (method === 'POST' && override) method = override.toUpperCase();
    const segments = url.pathname.replace(/^\/api\/?/, '').split('/').filter(Boolean);
    const [resource, idPart] = segments;
    if (!KNOWN_METHODS.has(method) || (method === 'PATCH' && ctx.psVersion === '1.7')) throw psError(405, 23, `Method ${method} is not valid`);
    if (resource === undefined) return root(ctx, cfg, json);
    const def = RESOURCES.get(resource);
    if (!def) throw didYouMean(400, 19, `Resource of type "${resource}" does not exists`, resource, [...RESOURCES.keys()]);
    if (cfg.permissions !== 'all' && !(cfg.permissions[resource]?.length)) throw psError(401, 26, `Resource of type "${resource}" is not allowed with this authentication key`);
    if (def.forbidden?.includes(method as Method)) throw psError(405, 101, `Method ${method} is not allowed for the resource ${resource}`);
    if (!allows(cfg, def, method as Method)) throw psError(405, 25, `Method ${method} is not allowed for the resource ${resource} with this authentication key`);
    const id = idPart === undefined ? undefined : Number(idPart);
    if (id !== undefined && !Number.isInteger(id)) return { status: 404, body: '', json };
    return dispatch(ctx, def, method as Method, id, params, json, rawBody);
  } catch (e) {
    if (e instanceof PsError) return render(e, json);
    throw e;
  }
}

function render(e: PsError, json: boolean): ApiAnswer {
  return { status: e.status, body: json ? errorsJson(e.errors) : errorsXml(e.errors), json };
}

function renderBase(ctx: ApiContext): Omit<RenderContext, 'languages' | 'associations'> {
  return { apiBase: ctx.apiBase, psVersion: ctx.psVersion };
}

function dispatch(ctx: ApiContext, def: ResourceDef, method: Method, id: number | undefined, params: URLSearchParams, json: boolean, rawBody: string): ApiAnswer {
  const { state } = ctx;
  const sendEmail = params.get('sendemail') === '1';
  switch (method) {
    case 'GET':
    case 'HEAD': {
      const r = readResource(state, def, id, params, json, renderBase(ctx));
      return { status: r.status, body: method === 'HEAD' ? '' : r.body, json };
    }
    case 'POST':
      return written(ctx, def, json, 201, post({ state, def, sendEmail }, rawBody));
    case 'PUT':
    case 'PATCH':
      return written(ctx, def, json, 200, update({ state, def, sendEmail }, rawBody, method));
    case 'DELETE': {
      const list = params.get('id');
      const ids = id !== undefined ? [id] : (list ?? '').replace(/^\[|\]$/g, '').split(/[,|]/).filter(Boolean).map(Number);
      if (!ids.length) throw psError(400, 87, 'Id(s) not exists: none given');
      remove(state, def, ids);
      return { status: 200, body: '', json, wrote: true };
    }
  }
}

/** A write's answer: the object as stored, in full. */
function written(ctx: ApiContext, def: ResourceDef, json: boolean, status: number, row: Row): ApiAnswer {
  const { state } = ctx;
  const rctx: RenderContext = { ...renderBase(ctx), languages: state.languages, associations: (d, r) => associationsOf(state, d, r) };
  return { status, body: json ? singleJson(def, row, undefined, rctx) : singleXml(def, row, undefined, rctx), json, wrote: true };
}

function root(ctx: ApiContext, cfg: KeyConfig, json: boolean): ApiAnswer {
  const resources = [...RESOURCES.values()]
    .filter((d) => cfg.permissions === 'all' || cfg.permissions[d.name]?.length)
    .map((d) => {
      const allowed = (x: Method) => allows(cfg, d, x) && (x !== 'PATCH' || ctx.psVersion === '8');
      return { name: d.name, methods: { get: allowed('GET'), put: allowed('PUT'), post: allowed('POST'), patch: allowed('PATCH'), delete: allowed('DELETE'), head: allowed('HEAD') } };
    });
  if (json) return { status: 200, body: JSON.stringify({ api: Object.fromEntries(resources.map((r) => [r.name, { description: `The ${r.name}`, ...r.methods }])) }), json };
  return { status: 200, body: apiRootXml(resources, { ...renderBase(ctx), languages: ctx.state.languages, associations: () => ({}) }), json };
}

export function responseHeaders(answer: ApiAnswer, psVersion: '8' | '1.7', authenticated: boolean, startedAt: number): Record<string, string> {
  const h: Record<string, string> = {
    'x-powered-by': 'PrestaShop Webservice',
    'execution-time': ((performance.now() - startedAt) / 1000).toFixed(3),
    'access-time': String(Math.floor(Date.now() / 1000)),
    'content-sha1': hash('sha1', answer.body, 'hex'),
    'content-type': answer.json ? 'application/json;charset=utf-8' : 'text/xml;charset=utf-8',
    ...answer.headers,
  };
  if (authenticated) h['psws-version'] = psVersion === '8' ? '8.1.7' : '1.7.8.11';
  return h;
}

export function sendAnswer(res: ServerResponse, answer: ApiAnswer, headers: Record<string, string>): void {
  res.writeHead(answer.status, { ...headers, 'content-length': String(Buffer.byteLength(answer.body)) });
  res.end(answer.body);
}
