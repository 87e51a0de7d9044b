/**
 * pollWithOverlap against a source whose change times have whole-second resolution (PrestaShop's
 * `date_upd`, SAP's UpdateDate + UpdateTime): records keep changing in the very second the cursor points at.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOverlapCursor, pollWithOverlap } from '../../src/connectors/kit/polling.ts';

interface Row {
  id: number;
  updated: string; // 'YYYY-MM-DD HH:MM:SS', like PrestaShop's date_upd
}

/** A fake remote table, read through "changed at or after" like a real API with a date filter. */
class Source {
  private rows = new Map<number, Row>();
  reads = 0;
  set(id: number, updated: string): void {
    this.rows.set(id, { id, updated });
  }
  fetchSince = (since: string | null): Promise<Row[]> => {
    this.reads++;
    const all = [...this.rows.values()].filter((r) => since === null || r.updated >= since);
    return Promise.resolve(all.sort((a, b) => (a.updated < b.updated ? -1 : a.updated > b.updated ? 1 : a.id - b.id)));
  };
}

function minusSeconds(at: string, s: number): string {
  const d = new Date(`${at.replace(' ', 'T')}Z`);
  d.setUTCSeconds(d.getUTCSeconds() - s);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

function poller(source: Source) {
  return (cursor: string | null) =>
    pollWithOverlap<Row>({
      cursor,
      fetchSince: source.fetchSince,
      changedAt: (r) => r.updated,
      keyOf: (r) => `${r.id}@${r.updated}`,
      minusOverlap: (at) => minusSeconds(at, 2),
    });
}

const keys = (rows: Row[]) => rows.map((r) => `${r.id}@${r.updated}`);

test('a record updated in the same second as the cursor is emitted once, not missed and not twice', async () => {
  const src = new Source();
  const poll = poller(src);
  src.set(1, '2026-11-27 10:00:05');
  const first = await poll(null);
  assert.deepEqual(keys(first.items), ['1@2026-11-27 10:00:05']);

  // Still within 10:00:05: another order arrives after the poll read.
  src.set(2, '2026-11-27 10:00:05');
  const second = await poll(first.cursor);
  assert.deepEqual(keys(second.items), ['2@2026-11-27 10:00:05'], 'order 2 is not missed and order 1 is not emitted again');

  const third = await poll(second.cursor);
  assert.deepEqual(third.items, [], 'nothing new: nothing emitted');
});

test('a new version of a record already seen is emitted again; the old version is not', async () => {
  const src = new Source();
  const poll = poller(src);
  src.set(1, '2026-11-27 10:00:05');
  src.set(2, '2026-11-27 10:00:06');
  const a = await poll(null);
  assert.equal(a.items.length, 2);
  src.set(1, '2026-11-27 10:00:06');
  const b = await poll(a.cursor);
  assert.deepEqual(keys(b.items), ['1@2026-11-27 10:00:06']);
});

test('a restart from the stored cursor string emits nothing twice', async () => {
  const src = new Source();
  src.set(1, '2026-11-27 10:00:00');
  src.set(2, '2026-11-27 10:00:01');
  src.set(3, '2026-11-27 10:00:01');
  const before = await poller(src)(null);
  assert.equal(before.items.length, 3);

  // The process dies; only the cursor string survived, in the store. A new poller starts from it.
  const stored = String(before.cursor);
  src.set(4, '2026-11-27 10:00:01');
  const after = await poller(src)(stored);
  assert.deepEqual(keys(after.items), ['4@2026-11-27 10:00:01']);
  const again = await poller(src)(after.cursor);
  assert.deepEqual(again.items, []);
});

test('emits in change-time order and moves the cursor to the newest change time', async () => {
  const src = new Source();
  src.set(9, '2026-11-27 10:00:03');
  src.set(1, '2026-11-27 10:00:01');
  src.set(5, '2026-11-27 10:00:02');
  const res = await poller(src)(null);
  assert.deepEqual(
    res.items.map((r) => r.id),
    [1, 5, 9],
  );
  assert.equal(parseOverlapCursor(res.cursor).at, '2026-11-27 10:00:03');
});

test('the cursor forgets keys that fall out of the overlap window, so it stays small', async () => {
  const src = new Source();
  const poll = poller(src);
  src.set(1, '2026-11-27 10:00:00');
  const a = await poll(null);
  src.set(2, '2026-11-27 10:00:10');
  const b = await poll(a.cursor);
  assert.deepEqual(parseOverlapCursor(b.cursor), { at: '2026-11-27 10:00:10', seen: ['2@2026-11-27 10:00:10'] });
});

test('an empty source keeps a null cursor and a legacy plain-timestamp cursor is accepted', async () => {
  const src = new Source();
  const empty = await poller(src)(null);
  assert.deepEqual(parseOverlapCursor(empty.cursor), { at: null, seen: [] });
  src.set(1, '2026-11-27 09:59:59');
  src.set(2, '2026-11-27 10:00:00');
  const legacy = await poller(src)('2026-11-27 10:00:00');
  // The overlap re-reads 09:59:58 onwards; with no keys remembered both are emitted (at-least-once, never lost).
  assert.deepEqual(keys(legacy.items), ['1@2026-11-27 09:59:59', '2@2026-11-27 10:00:00']);
});
