/**
 * Reading collections: `$filter`, `$select`, `$orderby`, `$skip` (applied before `$top`), `$top`, paging by
 * 20 with a relative next link, `Prefer: odata.maxpagesize` / `B1S-PageSize` (0 = no paging), `/$count`,
 * `$inlinecount=allpages` (v1, a string) and `$count=true` (v2, a number: marked uncertain in the spec).
 */
import { compileFilter, filterKeys, leadingEquality } from './filter.ts';
import { badRequest } from './sap-errors.ts';
import { etagOf, type EntitySet, type Key, type Store } from './store.ts';
import type { EmuRequest, EmuResponse, Obj, Row } from './types.ts';
import { renderRow } from './values.ts';

export const DEFAULT_PAGE_SIZE = 20;

export function parseSelect(req: EmuRequest, set: EntitySet): string[] | undefined {
  const raw = req.query.get('$select');
  if (!raw || raw.trim() === '*') return undefined;
  const fields = raw.split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== '*');
  for (const f of fields) if (!set.fields.has(f) && !f.startsWith('U_')) throw badRequest(`Property '${f}' of '${set.typeName}' is invalid`);
  return fields;
}

function pageSize(req: EmuRequest): { size: number; applied?: string } {
  const prefer = req.headers['prefer'];
  const m = prefer ? /odata\.maxpagesize=(\d+)/.exec(prefer) : null;
  if (m) return { size: Number(m[1]), applied: `odata.maxpagesize=${m[1]}` };
  const b1s = req.headers['b1s-pagesize'];
  if (b1s !== undefined && /^\d+$/.test(b1s)) return { size: Number(b1s) };
  return { size: DEFAULT_PAGE_SIZE };
}

function intParam(req: EmuRequest, name: string): number | undefined {
  const v = req.query.get(name);
  if (v === null) return undefined;
  if (!/^\d+$/.test(v)) throw badRequest(`Invalid value '${v}' for ${name}`);
  return Number(v);
}

/** The rows matching `$filter`, in key order (or by index for a leading `Field eq '…'`). */
export function filteredRows(store: Store, set: EntitySet, req: EmuRequest): Row[] {
  const filter = req.query.get('$filter');
  const caseInsensitive = req.headers['b1s-caseinsensitive'] === 'true';
  let candidates: Iterable<Row> = set.rows.values();
  const out: Row[] = [];
  if (!filter) {
    for (const r of candidates) out.push(r);
  } else {
    const pred = compileFilter(filter, {
      caseInsensitive,
      hasField: (f) => set.fields.has(f),
      entityType: set.typeName,
      stringKey: set.numericKey ? undefined : set.keyField,
    });
    // The index is exact: it cannot serve a case-insensitive comparison.
    const lead = caseInsensitive ? undefined : leadingEquality(filter);
    const indexed = lead ? store.lookup(set, lead.field, lead.value) : undefined;
    const byKey = filterKeys(pred);
    if (indexed) candidates = [...indexed].sort(keyOrder).map((k) => set.rows.get(k)!);
    else if (byKey) candidates = rowsByKey(set, byKey);
    for (const r of candidates) if (pred(r.data)) out.push(r);
  }
  if (!set.numericKey) out.sort((a, b) => keyOrder(a.data[set.keyField] as Key, b.data[set.keyField] as Key));
  return out;
}

/** The rows with these keys, each once (the caller orders them). */
function rowsByKey(set: EntitySet, keys: readonly string[]): Row[] {
  const rows = new Set<Row>();
  for (const k of keys) {
    const r = set.rows.get(k);
    if (r) rows.add(r);
  }
  return [...rows];
}

function keyOrder(a: Key, b: Key): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function applyOrderBy(rows: Row[], spec: string, set: EntitySet): void {
  const keys = spec.split(',').map((part) => {
    const [field, dir] = part.trim().split(/\s+/);
    if (!field || (!set.fields.has(field) && !field.startsWith('U_'))) throw badRequest(`Property '${field ?? ''}' of '${set.typeName}' is invalid`);
    return { field, desc: dir?.toLowerCase() === 'desc' };
  });
  rows.sort((a, b) => {
    for (const k of keys) {
      const va = a.data[k.field] as string | number | null;
      const vb = b.data[k.field] as string | number | null;
      if (va === vb) continue;
      const c = va === null || va === undefined ? -1 : vb === null || vb === undefined ? 1 : va < vb ? -1 : 1;
      return k.desc ? -c : c;
    }
    return 0;
  });
}

function contextKey(req: EmuRequest): string {
  return req.version === 'v1' ? 'odata.metadata' : '@odata.context';
}

export function listEntities(store: Store, set: EntitySet, req: EmuRequest): EmuResponse {
  const rows = filteredRows(store, set, req);
  const orderby = req.query.get('$orderby');
  if (orderby) applyOrderBy(rows, orderby, set);
  const select = parseSelect(req, set);
  const skip = intParam(req, '$skip') ?? 0;
  const top = intParam(req, '$top');
  const wanted = rows.slice(skip, top === undefined ? undefined : skip + top);
  const { size, applied } = pageSize(req);
  const page = size > 0 ? wanted.slice(0, size) : wanted;
  const body: Obj = { [contextKey(req)]: `${req.base}/$metadata#${set.name}` };
  if (req.version === 'v1' && req.query.get('$inlinecount') === 'allpages') body['odata.count'] = String(rows.length);
  if (req.version === 'v2' && req.query.get('$count') === 'true') body['@odata.count'] = rows.length;
  body.value = page.map((r) => {
    const out = renderRow(req.version, r.data, select);
    // v2 annotates each entity with its ETag; with $select SL sends a frozen, meaningless one (spec §4).
    if (req.version === 'v2') return { '@odata.etag': select ? 'W/"0000000000000000000000000000000000000000"' : etagOf(set, r), ...out };
    return out;
  });
  if (size > 0 && wanted.length > size) {
    // Relative link with $skip, as documented; we keep the other options (whether SL keeps $filter is uncertain).
    const q = new URLSearchParams(req.query);
    q.set('$skip', String(skip + size));
    if (top !== undefined) q.set('$top', String(top - size));
    body[req.version === 'v1' ? 'odata.nextLink' : '@odata.nextLink'] = `${new URL(req.base).pathname}/${set.name}?${q.toString().replace(/%24/g, '$')}`;
  }
  return { status: 200, json: body, headers: applied ? { 'preference-applied': applied } : {} };
}

export function countEntities(store: Store, set: EntitySet, req: EmuRequest): EmuResponse {
  return { status: 200, text: String(filteredRows(store, set, req).length) };
}

export function entityResponse(set: EntitySet, row: Row, req: EmuRequest, status = 200): EmuResponse {
  const select = status === 200 ? parseSelect(req, set) : undefined;
  const head: Obj = { [contextKey(req)]: `${req.base}/$metadata#${set.name}/${req.version === 'v1' ? '@Element' : '$entity'}` };
  const etag = etagOf(set, row);
  if (req.version === 'v2') head['@odata.etag'] = select ? 'W/"0000000000000000000000000000000000000000"' : etag;
  // Splice the annotations in front of the entity's JSON instead of copying the entity.
  const entity = JSON.stringify(renderRow(req.version, row.data, select));
  const jsonText = entity === '{}' ? JSON.stringify(head) : `${JSON.stringify(head).slice(0, -1)},${entity.slice(1)}`;
  const headers: Record<string, string> = select ? {} : { etag };
  return { status, jsonText, headers };
}
