/**
 * The emulator's in-memory database: one table per resource, rows holding every value as the string the
 * Webservice would print (multilingual fields as `{ langId: text }`), a shop-local clock, and the small
 * equality indexes on the foreign keys the connector filters by (`INDEXED`, `idsWhere`) and on the keys
 * the checkout looks rows up by (`LOOKUP`, `find`).
 */
import { FieldIndexes } from './field-index.ts';
import { fieldEntries, RESOURCES, type ResourceDef } from './schema.ts';

export type LangValue = Record<string, string>;
export type Value = string | LangValue;
export type Assoc = Array<Record<string, string>>;

export interface Row {
  id: number;
  f: Record<string, Value>;
  /** Stored associations (customer groups, slip details). Others are derived at output time. */
  assoc?: Record<string, Assoc>;
}

export interface OutgoingEmail {
  to: string;
  template: string;
  subject: string;
  id_order: number;
  at: string;
  vars: Record<string, string>;
}

export interface ShopEvent {
  action: 'add' | 'update';
  entity: 'Order' | 'OrderHistory';
  data: Record<string, unknown>;
}

/** Formats `YYYY-MM-DD HH:MM:SS` in the shop's timezone, cached per second (the read path calls it often). */
export function shopClock(timeZone: string): () => string {
  const fmt = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  let lastSec = -1;
  let last = '';
  return () => {
    const sec = Math.floor(Date.now() / 1000);
    if (sec !== lastSec) {
      lastSec = sec;
      last = fmt.format(new Date(sec * 1000)).replace('T', ' ');
    }
    return last;
  };
}

/** Fields filtered by equality on every order (the connector's reads): indexed, `idsWhere`. */
const INDEXED: Record<string, string[]> = {
  orders: ['id_customer'],
  order_details: ['id_order'],
  order_histories: ['id_order'],
  order_carriers: ['id_order'],
  customer_threads: ['id_order'],
  customer_messages: ['id_customer_thread'],
};

/** Fields `find` and `rowsWhere` look rows up by on every checkout: indexed too, never used for filters. */
const LOOKUP: Record<string, string[]> = {
  orders: ['reference'],
  customers: ['email'],
  products: ['reference'],
  combinations: ['reference'],
  countries: ['iso_code'],
  order_states: ['module_name'],
  stock_availables: ['id_product'],
};

const ALL_INDEXED: Record<string, string[]> = Object.fromEntries(
  [...new Set([...Object.keys(INDEXED), ...Object.keys(LOOKUP)])].map((t) => [t, [...(INDEXED[t] ?? []), ...(LOOKUP[t] ?? [])]]),
);

export class ShopState {
  readonly tables = new Map<string, Map<number, Row>>();
  private readonly nextIds = new Map<string, number>();
  private readonly indexes = new FieldIndexes(ALL_INDEXED);
  readonly emails: OutgoingEmail[] = [];
  languages: string[] = ['1'];
  /** Observers of order creations and state changes (the webhook module). */
  listeners: Array<(e: ShopEvent) => void> = [];

  constructor(readonly now: () => string) {
    for (const name of RESOURCES.keys()) {
      this.tables.set(name, new Map());
      this.nextIds.set(name, 1);
    }
  }

  table(name: string): Map<number, Row> {
    const t = this.tables.get(name);
    if (!t) throw new Error(`no table ${name}`);
    return t;
  }

  def(name: string): ResourceDef {
    const d = RESOURCES.get(name);
    if (!d) throw new Error(`no resource ${name}`);
    return d;
  }

  get(name: string, id: number): Row | undefined {
    return this.tables.get(name)?.get(id);
  }

  /** Inserts a row with every field of the resource present ('' or an empty language map when not given). */
  insert(name: string, values: Record<string, Value>, assoc?: Record<string, Assoc>): Row {
    const def = this.def(name);
    const id = this.nextIds.get(name) ?? 1;
    this.nextIds.set(name, id + 1);
    const f: Record<string, Value> = {};
    for (const [field, fd] of fieldEntries(def)) f[field] = values[field] ?? (fd.lang ? {} : '');
    const row: Row = { id, f };
    if (assoc) row.assoc = assoc;
    this.table(name).set(id, row);
    this.indexes.add(name, row);
    return row;
  }

  /**
   * The ids, ascending, of the rows whose `field` is `value` (a plain integer), from an equality index;
   * undefined when the field has none (the caller scans). MySQL answers these filters from indexes too.
   */
  idsWhere(name: string, field: string, value: string): number[] | undefined {
    if (!/^[1-9]\d*$/.test(value)) return undefined;
    if (field === 'id') return this.get(name, Number(value)) ? [Number(value)] : [];
    if (!INDEXED[name]?.includes(field)) return undefined;
    return [...(this.indexes.ids(name, field, value) ?? [])].sort((a, b) => a - b);
  }

  /** After a row's fields changed (PUT, PATCH): its index entries follow. `before` is the fields as they were. */
  reindex(name: string, row: Row, before: Record<string, Value>): void {
    this.indexes.update(name, row, before);
  }

  remove(name: string, id: number): boolean {
    const row = this.get(name, id);
    if (!row) return false;
    this.table(name).delete(id);
    this.indexes.delete(name, row);
    return true;
  }

  /** The rows, in id order, whose field equals the value (from an index when the field has one). */
  rowsWhere(name: string, field: string, value: string): Row[] {
    const ids = this.indexes.ids(name, field, value);
    if (!ids) return [...this.table(name).values()].filter((row) => row.f[field] === value);
    const rows: Row[] = [];
    for (const id of [...ids].sort((a, b) => a - b)) {
      const row = this.get(name, id);
      if (row) rows.push(row);
    }
    return rows;
  }

  /** The first row (lowest id) whose field equals the value. */
  find(name: string, field: string, value: string): Row | undefined {
    const ids = this.indexes.ids(name, field, value);
    if (!ids) {
      for (const row of this.table(name).values()) if (row.f[field] === value) return row;
      return undefined;
    }
    let first: number | undefined;
    for (const id of ids) if (first === undefined || id < first) first = id;
    return first === undefined ? undefined : this.get(name, first);
  }

  /** A text in the shop's first language (for names shown in emails and payloads). */
  text(v: Value | undefined): string {
    if (v === undefined) return '';
    if (typeof v === 'string') return v;
    return v[this.languages[0] ?? '1'] ?? Object.values(v)[0] ?? '';
  }

  /** Tells the listeners about a row; its payload (`rowVars`) is only built when someone listens. */
  emit(action: ShopEvent['action'], entity: ShopEvent['entity'], row: Row): void {
    if (!this.listeners.length) return;
    const e: ShopEvent = { action, entity, data: rowVars(this, row) };
    for (const l of this.listeners) l(e);
  }
}

/** Public view of a row for webhook payloads: object vars as the module would send them. */
export function rowVars(state: ShopState, row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = { id: row.id };
  for (const [k, v] of Object.entries(row.f)) out[k] = typeof v === 'string' ? v : state.text(v);
  delete out.secure_key;
  delete out.passwd;
  return out;
}
