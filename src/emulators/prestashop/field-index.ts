/**
 * Equality indexes over the in-memory tables: for each indexed (table, field), the ids of the rows holding
 * each value. Only plain string values are indexed (a multilingual value never equals a string).
 */
import type { Row, Value } from './state.ts';

export class FieldIndexes {
  /** table → field → value → ids. */
  private readonly tables = new Map<string, Map<string, Map<string, Set<number>>>>();

  constructor(private readonly fields: Readonly<Record<string, readonly string[]>>) {}

  /** The indexed fields of a table. */
  fieldsOf(table: string): readonly string[] {
    return this.fields[table] ?? [];
  }

  /** The ids whose field holds the value (possibly none), or undefined when the field has no index. */
  ids(table: string, field: string, value: string): ReadonlySet<number> | undefined {
    if (!this.fieldsOf(table).includes(field)) return undefined;
    return this.tables.get(table)?.get(field)?.get(value) ?? new Set();
  }

  add(table: string, row: Row): void {
    for (const field of this.fieldsOf(table)) this.change(table, field, row.id, row.f[field], 'add');
  }

  delete(table: string, row: Row): void {
    for (const field of this.fieldsOf(table)) this.change(table, field, row.id, row.f[field], 'delete');
  }

  /** After a row's fields changed: `before` is the fields as they were. */
  update(table: string, row: Row, before: Record<string, Value>): void {
    for (const field of this.fieldsOf(table)) {
      if (before[field] === row.f[field]) continue;
      this.change(table, field, row.id, before[field], 'delete');
      this.change(table, field, row.id, row.f[field], 'add');
    }
  }

  private change(table: string, field: string, id: number, value: Value | undefined, op: 'add' | 'delete'): void {
    if (typeof value !== 'string') return;
    let byField = this.tables.get(table);
    if (!byField) this.tables.set(table, (byField = new Map()));
    let idx = byField.get(field);
    if (!idx) byField.set(field, (idx = new Map()));
    let ids = idx.get(value);
    if (op === 'add') {
      if (!ids) idx.set(value, (ids = new Set()));
      ids.add(id);
    } else {
      ids?.delete(id);
      if (ids?.size === 0) idx.delete(value);
    }
  }
}
