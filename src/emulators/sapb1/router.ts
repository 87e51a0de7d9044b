/**
 * The Service Layer's resource routing, synchronous over the in-memory store: Login/Logout, `$metadata`,
 * collections, entities by key, `/$count`, bound actions, and `X-HTTP-Method-Override`. `$batch` parts are
 * dispatched through the same function.
 */
import { parseJson, asObject } from './bodies.ts';
import { documentAction, patchDocument } from './doc-actions.ts';
import { createDocument } from './documents.ts';
import { createMasterData, deleteMasterData, patchMasterData } from './masterdata.ts';
import { countEntities, entityResponse, listEntities } from './query.ts';
import { DOC_BY_SET } from './schema.ts';
import { badLogin, badRequest, etagMismatch, faultResponse, invalidSession, notFound, notSupported, SapFault } from './sap-errors.ts';
import { DEMO_CREDENTIALS, type Sessions } from './sessions.ts';
import { etagOf, type EntitySet, type Key, type Store } from './store.ts';
import type { EmuRequest, EmuResponse, Row } from './types.ts';

export interface Emu {
  store: Store;
  sessions: Sessions;
  /** Handles `POST /$batch` (set by batch.ts, which calls back into `dispatch`). */
  batch?: (emu: Emu, req: EmuRequest) => EmuResponse;
}

interface Target {
  set: string;
  keyText?: string | undefined;
  rest?: string | undefined;
}

/** Splits `/Orders(22)/Close` into set, key text and the rest, honouring quotes inside the key. */
export function parseTarget(path: string): Target | undefined {
  const m = /^\/([A-Za-z_][A-Za-z0-9_]*)/.exec(path);
  if (!m) return undefined;
  let i = m[0].length;
  let keyText: string | undefined;
  if (path[i] === '(') {
    let inStr = false;
    let j = i + 1;
    for (; j < path.length; j++) {
      const c = path[j];
      if (c === "'") inStr = !inStr;
      else if (c === ')' && !inStr) break;
    }
    if (j >= path.length) return undefined;
    keyText = path.slice(i + 1, j);
    i = j + 1;
  }
  const rest = path.slice(i);
  if (rest !== '' && !rest.startsWith('/')) return undefined;
  return { set: m[1]!, keyText, rest: rest === '' ? undefined : rest.slice(1) };
}

/** `22`, `DocEntry=22`, `'c1'`, `CardCode='c1'` → the key value. */
function parseKey(set: EntitySet, text: string): Key {
  let t = text.trim();
  const named = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(t);
  if (named) {
    if (named[1] !== set.keyField) throw badRequest(`Key property '${named[1]}' of '${set.typeName}' is invalid`);
    t = named[2]!.trim();
  }
  if (t.startsWith("'") && t.endsWith("'") && t.length >= 2) {
    const s = t.slice(1, -1).replace(/''/g, "'");
    return set.numericKey ? Number(s) : s;
  }
  if (set.numericKey) {
    if (!/^-?\d+$/.test(t)) throw badRequest(`Invalid key '${text}' for ${set.name}`);
    return Number(t);
  }
  throw badRequest(`Invalid key '${text}' for ${set.name}: string keys are quoted, e.g. ${set.name}('c1')`);
}

const DS_HEADERS = { v1: { dataserviceversion: '3.0' }, v2: { 'odata-version': '4.0' } } as const;

function login(emu: Emu, req: EmuRequest): EmuResponse {
  const body = asObject(parseJson(req.rawBody) ?? {}, 'Login');
  const c = DEMO_CREDENTIALS;
  if (body.CompanyDB !== c.companyDb || body.UserName !== c.userName || body.Password !== c.password) throw badLogin();
  const id = emu.sessions.create(c.userName);
  const ctx = req.version === 'v1' ? { 'odata.metadata': `${req.base}/$metadata#B1Sessions/@Element` } : { '@odata.context': `${req.base}/$metadata#B1Sessions/$entity` };
  return {
    status: 200,
    // Exactly as SL sends them: no Path on B1SESSION and a trailing ';' (spec §2).
    headers: { 'set-cookie': [`B1SESSION=${id};HttpOnly;`, 'ROUTEID=.node1; path=/b1s'] },
    json: { ...ctx, SessionId: id, Version: '1000190', SessionTimeout: emu.sessions.timeoutMinutes },
  };
}

function checkEtag(set: EntitySet, row: Row, req: EmuRequest): void {
  const want = req.headers['if-match'];
  if (want && want !== '*' && want !== etagOf(set, row)) throw etagMismatch();
}

function route(emu: Emu, req: EmuRequest): EmuResponse {
  const { store } = emu;
  if (req.path === '/Login' && req.method === 'POST') return login(emu, req);
  if (!emu.sessions.use(req.sessionId)) throw invalidSession();
  if (req.path === '/Logout' && req.method === 'POST') {
    emu.sessions.end(req.sessionId);
    return { status: 204 };
  }
  if (req.path === '/$batch' && req.method === 'POST' && emu.batch) return emu.batch(emu, req);
  if (req.path === '/$metadata') return metadata(store);
  const target = parseTarget(req.path);
  const set = target ? store.set(target.set) : undefined;
  if (!target || !set) throw new SapFault(404, -1000, `Resource not found for the segment '${req.path.slice(1).split(/[(/]/)[0] ?? ''}'`);
  const kind = DOC_BY_SET.get(set.name);
  const method = req.method;

  if (target.keyText === undefined) {
    if (target.rest === '$count' && method === 'GET') return countEntities(store, set, req);
    if (target.rest !== undefined) throw new SapFault(404, -1000, `Resource not found for the segment '${target.rest}'`);
    if (method === 'GET') return listEntities(store, set, req);
    if (method === 'POST') {
      const body = parseJson(req.rawBody);
      const row = kind ? createDocument(store, kind, body) : createMasterData(store, set, body);
      const location = `${req.base}/${set.name}(${set.numericKey ? String(row.data[set.keyField]) : `'${String(row.data[set.keyField])}'`})`;
      if (/return-no-content/.test(req.headers['prefer'] ?? '')) {
        return { status: 204, headers: { location, 'preference-applied': 'return-no-content', etag: etagOf(set, row) } };
      }
      const res = entityResponse(set, row, req, 201);
      res.headers = { ...res.headers, location };
      return res;
    }
    throw notSupported();
  }

  const key = parseKey(set, target.keyText);
  const row = set.rows.get(key);
  if (!row) throw notFound();
  if (target.rest !== undefined) {
    if (method === 'POST' && kind && /^(Close|Cancel|Reopen)$/.test(target.rest)) {
      checkEtag(set, row, req);
      documentAction(store, kind, row, target.rest);
      return { status: 204 };
    }
    if (method === 'GET' && set.fields.has(target.rest)) {
      const ctx = req.version === 'v1' ? 'odata.metadata' : '@odata.context';
      return { status: 200, json: { [ctx]: `${req.base}/$metadata#${set.name}(${target.keyText})/${target.rest}`, value: row.data[target.rest] ?? null } };
    }
    throw new SapFault(404, -1000, `Resource not found for the segment '${target.rest}'`);
  }
  switch (method) {
    case 'GET':
      return entityResponse(set, row, req);
    case 'PATCH':
    case 'PUT':
    case 'MERGE': {
      checkEtag(set, row, req);
      const replace = method === 'PUT' || req.headers['b1s-replacecollectionsonpatch'] === 'true';
      if (kind) patchDocument(store, kind, row, parseJson(req.rawBody), replace);
      else patchMasterData(store, set, row, parseJson(req.rawBody), replace);
      return { status: 204 };
    }
    case 'DELETE':
      // Marketing documents cannot be deleted: -5006 (spec §3).
      if (kind) throw notSupported();
      checkEtag(set, row, req);
      deleteMasterData(store, set, key);
      return { status: 204 };
    default:
      throw notSupported();
  }
}

function metadata(store: Store): EmuResponse {
  const sets = [...store.sets.values()].map((s) => `<EntitySet Name="${s.name}" EntityType="SAPB1.${s.typeName}"/>`).join('');
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    text: `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="SAPB1" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityContainer Name="ServiceLayer">${sets}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`,
  };
}

/** Routes one request; SAP errors become responses in the version's shape. Adds the OData version header. */
export function dispatch(emu: Emu, req: EmuRequest): EmuResponse {
  let method = req.method;
  const override = req.headers['x-http-method-override'];
  if (method === 'POST' && override) method = override.toUpperCase();
  let res: EmuResponse;
  try {
    res = route(emu, method === req.method ? req : { ...req, method });
  } catch (e) {
    if (!(e instanceof SapFault)) throw e;
    res = faultResponse(req.version, e);
  }
  res.headers = { ...DS_HEADERS[req.version], ...res.headers };
  return res;
}
