/**
 * The emulator's in-memory database: one table per resource, rows holding every value as the string the
 * Webservice would print (multilingual fields as `{ langId: text }`), a shop-local clock, and the small
 * equality indexes on the foreign keys the connector filters by (`INDEXED`, `idsWhere`).
 */
import { RESOURCES, type ResourceDef } from './schema.ts';

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

export class ShopState {
  readonly tables = new Map<string, Map<number, Row>>();
  private readonly nextIds = new Map<string, number>();
  private readonly fieldIndexes = new Map<string, Map<string, Set<number>>>();
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
    for (const [field, fd] of Object.entries(def.fields)) f[field] = values[field] ?? (fd.lang ? {} : '');
    const row: Row = { id, f };
    if (assoc) row.assoc = assoc;
    this.table(name).set(id, row);
    for (const field of INDEXED[name] ?? []) this.fieldIndex(name, field, row, 'add');
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
    return [...(this.fieldIndexes.get(`${name}.${field}`)?.get(value) ?? [])].sort((a, b) => a - b);
  }

  /** After a row's fields changed (PUT, PATCH): its index entries follow. `before` is the fields as they were. */
  reindex(name: string, row: Row, before: Record<string, Value>): void {
    for (const field of INDEXED[name] ?? []) {
      if (before[field] === row.f[field]) continue;
      this.fieldIndex(name, field, { ...row, f: before }, 'delete');
      this.fieldIndex(name, field, row, 'add');
    }
  }

  private fieldIndex(name: string, field: string, row: Row, op: 'add' | 'delete'): void {
    const value = row.f[field];
    if (typeof value !== 'string') return;
    const key = `${name}.${field}`;
    let idx = this.fieldIndexes.get(key);
    if (!idx) this.fieldIndexes.set(key, (idx = new Map()));
    let ids = idx.get(value);
    if (op === 'add') {
      if (!ids) idx.set(value, (ids = new Set()));
      ids.add(row.id);
    } else {
      ids?.delete(row.id);
      if (ids?.size === 0) idx.delete(value);
    }
  }

  remove(name: string, id: number): boolean {
    const row = this.get(name, id);
    if (!row) return false;
    this.table(name).delete(id);
    for (const field of INDEXED[name] ?? []) this.fieldIndex(name, field, row, 'delete');
    return true;
  }

  /** The first row whose field equals the value (small tables only). */
  find(name: string, field: string, value: string): Row | undefined {
    for (const row of this.table(name).values()) if (row.f[field] === value) return row;
    return undefined;
  }

  /** A text in the shop's first language (for names shown in emails and payloads). */
  text(v: Value | undefined): string {
    if (v === undefined) return '';
    if (typeof v === 'string') return v;
    return v[this.languages[0] ?? '1'] ?? Object.values(v)[0] ?? '';
  }

  emit(e: ShopEvent): void {
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
