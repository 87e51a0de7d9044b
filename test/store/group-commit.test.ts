/**
 * Group commit on the embedded store: concurrent writes share a transaction, each caller's promise settles
 * after the commit, and one caller's failing write neither fails nor loses the others' writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, type SqlStore } from '../../src/store/index.ts';
import { sqliteUrl } from '../helpers/stores.ts';

async function withSqlite(fn: (s: SqlStore) => Promise<void>): Promise<void> {
  const store = await openStore(sqliteUrl(), { listen: false });
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

const target = () => [{ flowId: 'f', flowVersion: 'v1', firstStep: 's1' }];

test('concurrent ingests share commits and each is stored once', async () => {
  await withSqlite(async (s) => {
    const group = s.groupCommit;
    assert.ok(group, 'SQLite stores group their commits');
    const before = group.batches;
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => s.ingest({ dedupeKey: `k${i}`, type: 't', source: 'src', entityKey: `e:${i}`, payload: { i } }, target)));
    assert.equal(results.filter((r) => r.created).length, 40);
    assert.equal(await s.countEvents(), 40);
    const batches = group.batches - before;
    assert.ok(batches < 40, `40 concurrent writes took ${batches} commits; they should share some`);
  });
});

test('a write that throws fails alone: the others of its batch are committed', async () => {
  await withSqlite(async (s) => {
    const group = s.groupCommit!;
    const good = Array.from({ length: 5 }, (_, i) => s.ingest({ dedupeKey: `g${i}`, type: 't', source: 'src', entityKey: `e:${i}`, payload: null }, target));
    const bad = group.write(async (trx) => {
      await trx.insertInto('cursors').values({ name: 'half-done', value: 'x', updated_at: 1 }).execute();
      throw new Error('boom');
    });
    const more = s.ingest({ dedupeKey: 'g5', type: 't', source: 'src', entityKey: 'e:5', payload: null }, target);
    await assert.rejects(bad, /boom/);
    const ok = await Promise.all([...good, more]);
    assert.ok(ok.every((r) => r.created));
    assert.equal(await s.countEvents(), 6);
    // The failing write's own statement was rolled back with it: nothing half-done is left.
    assert.equal(await s.getCursor('half-done'), null);
  });
});

test('a caller only hears back after its write is durable (readable from a second connection)', async () => {
  const url = sqliteUrl();
  const a = await openStore(url, { listen: false });
  const b = await openStore(url, { listen: false });
  try {
    const res = await a.ingest({ dedupeKey: 'd1', type: 't', source: 'src', entityKey: 'e:1', payload: null }, target);
    assert.ok(await b.getEvent(res.eventId), 'committed before the promise resolved');
  } finally {
    await a.close();
    await b.close();
  }
});
