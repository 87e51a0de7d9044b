/**
 * The emulator's state: one Map per entity set, in memory, with counters for DocEntry/DocNum. A snapshot can
 * be taken and restored (atomic `$batch` changesets) and the whole state written to a file when asked.
 */
import { hash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Obj, Row } from './types.ts';

export type Key = string | number;

export interface EntitySet {
  name: string;
  keyField: string;
  numericKey: boolean;
  /** The entity type name used in messages (`Document`, `BusinessPartner`, …). */
  typeName: string;
  rows: Map<Key, Row>;
  /** Known property names (U_ fields are always accepted: entity types are open). */
  fields: Set<string>;
  /** Secondary indexes: field → value → keys (only for fields listed in `indexed`). */
  indexes: Map<string, Map<string, Set<Key>>>;
}

export interface Counters {
  docEntry: Record<string, number>;
  docNum: Record<string, number>;
}

export class Store {
  readonly sets = new Map<string, EntitySet>();
  counters: Counters = { docEntry: {}, docNum: {} };

  define(name: string, keyField: string, numericKey: boolean, typeName: string, fields: Iterable<string>, indexed: string[] = []): EntitySet {
    const set: EntitySet = { name, keyField, numericKey, typeName, rows: new Map(), fields: new Set(fields), indexes: new Map() };
    for (const f of indexed) set.indexes.set(f, new Map());
    this.sets.set(name, set);
    return set;
  }

  set(name: string): EntitySet | undefined {
    return this.sets.get(name);
  }

  get(name: string, key: Key): Row | undefined {
    return this.sets.get(name)?.rows.get(key);
  }

  /** Inserts or replaces a row and keeps the indexes in step. */
  put(set: EntitySet, data: Obj, version = 1): Row {
    const key = data[set.keyField] as Key;
    const old = set.rows.get(key);
    if (old) this.unindex(set, key, old.data);
    const row: Row = { data, version };
    set.rows.set(key, row);
    this.index(set, key, data);
    return row;
  }

  remove(set: EntitySet, key: Key): void {
    const old = set.rows.get(key);
    if (!old) return;
    this.unindex(set, key, old.data);
    set.rows.delete(key);
  }

  /** Call after changing `row.data` in place: bumps the version (new ETag) and re-indexes. */
  changed(set: EntitySet, row: Row, before?: Obj): void {
    const key = row.data[set.keyField] as Key;
    if (before) this.unindex(set, key, before);
    this.index(set, key, row.data);
    row.version++;
    row.etag = undefined;
  }

  /** Snapshot of indexed values, for `changed(…, before)`. */
  indexedValues(set: EntitySet, data: Obj): Obj {
    const out: Obj = {};
    for (const f of set.indexes.keys()) out[f] = data[f];
    return out;
  }

  lookup(set: EntitySet, field: string, value: string): Set<Key> | undefined {
    const idx = set.indexes.get(field);
    return idx ? (idx.get(value) ?? new Set()) : undefined;
  }

  private index(set: EntitySet, key: Key, data: Obj): void {
    for (const [f, idx] of set.indexes) {
      const v = data[f];
      if (v === null || v === undefined) continue;
      const s = String(v);
      let keys = idx.get(s);
      if (!keys) idx.set(s, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(set: EntitySet, key: Key, data: Obj): void {
    for (const [f, idx] of set.indexes) {
      const v = data[f];
      if (v === null || v === undefined) continue;
      idx.get(String(v))?.delete(key);
    }
  }

  nextDocEntry(setName: string): number {
    const n = (this.counters.docEntry[setName] ?? 0) + 1;
    this.counters.docEntry[setName] = n;
    return n;
  }

  nextDocNum(setName: string): number {
    const n = (this.counters.docNum[setName] ?? 1000) + 1;
    this.counters.docNum[setName] = n;
    return n;
  }

  clear(): void {
    for (const s of this.sets.values()) {
      s.rows.clear();
      for (const idx of s.indexes.values()) idx.clear();
    }
    this.counters = { docEntry: {}, docNum: {} };
  }

  /** A deep copy of every row and counter (used to roll back a failed changeset). */
  snapshot(): string {
    const sets: Record<string, Array<[Key, Row]>> = {};
    for (const s of this.sets.values()) sets[s.name] = [...s.rows.entries()].map(([k, r]) => [k, { data: r.data, version: r.version }]);
    return JSON.stringify({ sets, counters: this.counters });
  }

  restore(snapshot: string): void {
    const parsed = JSON.parse(snapshot) as { sets: Record<string, Array<[Key, Row]>>; counters: Counters };
    this.clear();
    this.counters = parsed.counters;
    for (const [name, rows] of Object.entries(parsed.sets)) {
      const set = this.sets.get(name);
      if (!set) continue;
      for (const [, r] of rows) this.put(set, r.data, r.version);
    }
  }

  save(file: string): void {
    writeFileSync(file, this.snapshot());
  }

  load(file: string): void {
    this.restore(readFileSync(file, 'utf8'));
  }
}

/** Weak ETag derived from the row's data version, as SL does (`W/"<SHA1>"`). */
export function etagOf(set: EntitySet, row: Row): string {
  if (!row.etag) {
    const h = hash('sha1', `${set.name}|${String(row.data[set.keyField])}|${row.version}`, 'hex').toUpperCase();
    row.etag = `W/"${h}"`;
  }
  return row.etag;
}
