/**
 * GET: a single object or a filtered, sorted, limited list, rendered in the requested format; the
 * associations PrestaShop derives from other tables (order rows, a product's combinations and stock rows,
 * a thread's messages).
 */
import { orderRows } from './orders.ts';
import { listJson, listXml, schemaJson, schemaXml, singleJson, singleXml, type RenderContext } from './output.ts';
import { compareKeys, sortKey } from './collation.ts';
import { parseListQuery, type Filter } from './query.ts';
import type { ResourceDef } from './schema.ts';
import type { Assoc, Row, ShopState } from './state.ts';

export function associationsOf(state: ShopState, def: ResourceDef, row: Row): Record<string, Assoc> {
  switch (def.name) {
    case 'orders':
      return { order_rows: orderRows(state, row.id) };
    case 'products': {
      const combinations: Assoc = [];
      const stock: Assoc = [];
      for (const c of state.table('combinations').values()) if (c.f.id_product === String(row.id)) combinations.push({ id: String(c.id) });
      for (const s of state.table('stock_availables').values()) {
        if (s.f.id_product === String(row.id)) stock.push({ id: String(s.id), id_product_attribute: state.text(s.f.id_product_attribute) });
      }
      return { combinations, stock_availables: stock };
    }
    case 'customer_threads': {
      const messages: Assoc = [];
      for (const id of state.idsWhere('customer_messages', 'id_customer_thread', String(row.id)) ?? []) messages.push({ id: String(id) });
      return { customer_messages: messages };
    }
    default:
      return row.assoc ?? {};
  }
}

/** The rows an exact filter narrows the list to (from an index, in id order), else the whole table. */
function candidates(state: ShopState, table: string, filters: Filter[]): Iterable<Row> {
  for (const f of filters) {
    if (!f.values) continue;
    const ids: number[] = [];
    let indexed = true;
    for (const v of f.values) {
      const found = state.idsWhere(table, f.field, v);
      if (found === undefined) {
        indexed = false;
        break;
      }
      ids.push(...found);
    }
    if (!indexed) continue;
    return [...new Set(ids)].sort((a, b) => a - b).map((id) => state.get(table, id)!);
  }
  return state.table(table).values();
}

export interface ReadResult {
  status: number;
  body: string;
}

export function readResource(state: ShopState, def: ResourceDef, id: number | undefined, params: URLSearchParams, json: boolean, base: Omit<RenderContext, 'languages' | 'associations'>): ReadResult {
  const q = parseListQuery(def, params, state.languages);
  const ctx: RenderContext = { ...base, languages: q.languages, associations: (d, r) => associationsOf(state, d, r) };
  if (q.schema) return { status: 200, body: json ? schemaJson(def, ctx) : schemaXml(def, q.schema, ctx) };
  if (id !== undefined) {
    const row = state.get(def.name, id);
    // A missing single id: 404 with an empty body.
    if (!row) return { status: 404, body: '' };
    return { status: 200, body: json ? singleJson(def, row, q.display, ctx) : singleXml(def, row, q.display, ctx) };
  }
  let rows: Row[] = [];
  const filters = q.filters;
  for (const row of candidates(state, def.name, filters)) {
    let ok = true;
    for (const f of filters) {
      const v = f.field === 'id' ? String(row.id) : state.text(row.f[f.field]);
      if (!f.test(v)) {
        ok = false;
        break;
      }
    }
    if (ok) rows.push(row);
  }
  if (q.sort.length) {
    // Each row's sort values prepared once (not at every comparison); the order is `compare`'s.
    const keyed = rows.map((row) => ({ row, keys: q.sort.map((s) => sortKey(s.field === 'id' ? String(row.id) : state.text(row.f[s.field]))) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < q.sort.length; i++) {
        const c = compareKeys(a.keys[i]!, b.keys[i]!);
        if (c !== 0) return q.sort[i]!.desc ? -c : c;
      }
      return 0;
    });
    rows = keyed.map((k) => k.row);
  }
  if (q.limit) rows = rows.slice(q.limit.offset, q.limit.offset + q.limit.count);
  return { status: 200, body: json ? listJson(def, rows, q.display, ctx) : listXml(def, rows, q.display, ctx) };
}
