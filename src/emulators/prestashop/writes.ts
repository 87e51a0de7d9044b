/**
 * Writes (store-platforms.md §1.5): POST with the full XML (no `<id>`: code 91) → 201; PUT with the full
 * XML, loaded by the BODY id (missing: 90, unknown: 92), non-required fields left out set to NULL (printed as
 * ''); PATCH (8.x only) with `<id>` and the changed fields; DELETE → 200 with an empty body (unknown: 87).
 * Values are taken verbatim (no trimming), as PrestaShop does. Resource side effects are applied here.
 */
import { addOrderHistory, afterOrderCarrierWrite } from './orders.ts';
import { psError } from './query.ts';
import { readXml, type XmlNode } from './xml-body.ts';
import { fieldEntries, type ResourceDef } from './schema.ts';
import { addStockRow } from './seed.ts';
import type { Assoc, LangValue, Row, ShopState, Value } from './state.ts';

type Node = XmlNode;

export interface ParsedBody {
  id: string | undefined;
  values: Map<string, Value>;
  assoc: Record<string, Assoc>;
}

function text(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node;
  if (typeof node === 'object') {
    const t = (node as Node)['#text'];
    return typeof t === 'string' ? t : '';
  }
  return String(node);
}

function langValue(node: unknown): LangValue {
  const out: LangValue = {};
  const langs = (node as Node | undefined)?.language;
  if (Array.isArray(langs)) for (const l of langs) out[String((l as Node)['@_id'] ?? '1')] = text(l);
  return out;
}

function parseAssociations(def: ResourceDef, node: unknown): Record<string, Assoc> {
  const out: Record<string, Assoc> = {};
  if (!node || typeof node !== 'object' || !def.associations) return out;
  for (const [name, ad] of Object.entries(def.associations)) {
    const container = (node as Node)[name];
    if (!container || typeof container !== 'object') continue;
    const entries = (container as Node)[ad.nodeType];
    const list = Array.isArray(entries) ? entries : entries === undefined ? [] : [entries];
    out[name] = list.map((e) => Object.fromEntries(ad.fields.map((f) => [f, text((e as Node)[f])])));
  }
  return out;
}

export function parseBody(def: ResourceDef, raw: string): ParsedBody {
  const body = raw.startsWith('xml=') ? raw.slice(4) : raw;
  const doc = readXml(body);
  const root = doc.prestashop as Node | undefined;
  const entity = root?.[def.singular];
  if (!entity || typeof entity !== 'object') throw psError(400, 127, `XML error : the node <${def.singular}> is missing inside <prestashop>`);
  const e = entity as Node;
  const values = new Map<string, Value>();
  for (const [name, fd] of fieldEntries(def)) {
    if (!(name in e)) continue;
    values.set(name, fd.lang ? langValue(e[name]) : text(e[name]));
  }
  const id = 'id' in e ? text(e.id) : undefined;
  return { id: id === '' ? undefined : id, values, assoc: parseAssociations(def, e.associations) };
}

const NUMERIC_FORMATS = new Set(['isUnsignedId', 'isPrice', 'isFloat', 'isNegativePrice']);

function validate(def: ResourceDef, values: Map<string, Value>, requireAll: boolean): void {
  for (const [name, fd] of fieldEntries(def)) {
    const v = values.get(name);
    if (v !== undefined && fd.readOnly) throw psError(400, 93, `parameter "${name}" not writable. Please remove this attribute of this XML`);
    if (requireAll && fd.required && !fd.lang && (v === undefined || v === '')) throw psError(400, 41, `parameter "${name}" required`);
    if (typeof v === 'string' && v !== '' && fd.format && NUMERIC_FORMATS.has(fd.format) && !/^-?\d+(\.\d+)?$/.test(v)) {
      throw psError(400, 85, `Validation error: "Property ${def.singular}->${name} is not valid"`);
    }
  }
}

export interface WriteContext {
  state: ShopState;
  def: ResourceDef;
  sendEmail: boolean;
}

function requireRow(state: ShopState, resource: string, id: string, what: string): Row {
  const row = state.get(resource, Number(id));
  if (!row) throw psError(400, 85, `Validation error: "${what} ${id} does not exist"`);
  return row;
}

export function post(ctx: WriteContext, raw: string): Row {
  const { state, def } = ctx;
  const body = parseBody(def, raw);
  if (body.id !== undefined) throw psError(400, 91, 'id is forbidden when adding a new resource');
  validate(def, body.values, true);
  if (def.name === 'order_histories') {
    const order = requireRow(state, 'orders', String(body.values.get('id_order')), 'Order');
    requireRow(state, 'order_states', String(body.values.get('id_order_state')), 'OrderState');
    return addOrderHistory(state, order.id, Number(body.values.get('id_order_state')), { sendEmail: ctx.sendEmail, employeeId: Number(body.values.get('id_employee') || 0) });
  }
  const now = state.now();
  const values = Object.fromEntries(body.values);
  if ('date_add' in def.fields) values.date_add = now;
  if ('date_upd' in def.fields) values.date_upd = now;
  const row = state.insert(def.name, values, Object.keys(body.assoc).length ? body.assoc : undefined);
  afterWrite(ctx, row);
  if (def.name === 'products') addStockRow(state, row.id, 0, 0);
  if (def.name === 'combinations') addStockRow(state, Number(row.f.id_product), row.id, 0);
  return row;
}

/** PUT replaces the object (fields left out → NULL); PATCH changes only the given fields (8.x). */
export function update(ctx: WriteContext, raw: string, mode: 'PUT' | 'PATCH'): Row {
  const { state, def } = ctx;
  const body = parseBody(def, raw);
  if (body.id === undefined) throw psError(400, 90, 'id is required when modifying a resource');
  const row = state.get(def.name, Number(body.id));
  if (!row) throw psError(404, 92, `Invalid ID: ${body.id}`);
  validate(def, body.values, mode === 'PUT');
  const beforeState = row.f.current_state;
  const before = { ...row.f };
  const next: Record<string, Value> = { ...row.f };
  for (const [name, fd] of fieldEntries(def)) {
    const v = body.values.get(name);
    if (v !== undefined) next[name] = v;
    else if (mode === 'PUT' && !fd.readOnly && name !== 'date_add' && name !== 'date_upd') next[name] = fd.lang ? {} : '';
  }
  if ('date_upd' in def.fields) next.date_upd = state.now();
  if (def.name === 'orders' && next.current_state !== beforeState && next.current_state) {
    // `current_state` has a setter: setWsCurrentState() writes a history row (and its side effects).
    const target = Number(next.current_state);
    requireRow(state, 'order_states', String(target), 'OrderState');
    next.current_state = beforeState ?? '';
    Object.assign(row.f, next);
    addOrderHistory(state, row.id, target, { sendEmail: ctx.sendEmail });
  } else {
    Object.assign(row.f, next);
  }
  state.reindex(def.name, row, before);
  if (Object.keys(body.assoc).length) row.assoc = { ...row.assoc, ...body.assoc };
  afterWrite(ctx, row);
  return row;
}

function afterWrite(ctx: WriteContext, row: Row): void {
  const { state, def } = ctx;
  if (def.name === 'order_carriers') afterOrderCarrierWrite(state, row, ctx.sendEmail);
  if (def.name === 'stock_availables' && row.f.id_product_attribute === '0') {
    const product = state.get('products', Number(row.f.id_product));
    if (product) product.f.quantity = row.f.quantity ?? '0';
  }
  if (def.name === 'customer_messages') {
    const thread = state.get('customer_threads', Number(row.f.id_customer_thread));
    if (thread) thread.f.date_upd = state.now();
  }
}

export function remove(state: ShopState, def: ResourceDef, ids: number[]): void {
  const missing = ids.filter((id) => !state.get(def.name, id));
  if (missing.length) throw psError(404, 87, `Id(s) not exists: ${missing.join(', ')}`);
  for (const id of ids) state.remove(def.name, id);
}
