/**
 * Frequent statements run as named prepared statements on PostgreSQL (parsed and planned once per
 * connection); the claim and one-off statements never do, and the number of names is bounded.
 */
import { test } from 'node:test';
import { sql } from 'kysely';
import assert from 'node:assert/strict';
import { StatementNames } from '../../src/store/pg-prepared.ts';
import { postgresAvailable, freshStoreUrl, dropSchema } from '../helpers/stores.ts';
import { migrate, openDatabase } from '../../src/store/db.ts';
import { SqlStore } from '../../src/store/sql-store.ts';
import { openStore } from '../../src/store/index.ts';

const pg = await postgresAvailable();

test('a text is named from its third execution on, always under the same name', () => {
  const names = new StatementNames();
  const text = 'SELECT * FROM events WHERE id = $1';
  assert.equal(names.nameFor(text), undefined);
  assert.equal(names.nameFor(text), undefined);
  const name = names.nameFor(text);
  assert.match(name ?? '', /^of_[\w-]{20}$/);
  assert.equal(names.nameFor(text), name);
  assert.notEqual(names.nameFor('SELECT 2 WHERE $1::int > 0') ?? 'x', name);
});

test('the claim and statements that change the schema are never named', () => {
  const names = new StatementNames();
  for (const text of ['UPDATE runs SET status = $1 WHERE id IN (SELECT id FROM runs FOR UPDATE SKIP LOCKED)', 'ALTER TABLE runs ADD COLUMN x int', 'ANALYZE runs', 'BEGIN']) {
    for (let i = 0; i < 5; i++) assert.equal(names.nameFor(text), undefined, text);
  }
});

test('at most 300 texts are named; later ones run unnamed', () => {
  const names = new StatementNames();
  let named = 0;
  for (let i = 0; i < 400; i++) {
    const text = `SELECT ${i} WHERE $1::int > 0`;
    names.nameFor(text);
    names.nameFor(text);
    if (names.nameFor(text) !== undefined) named++;
  }
  assert.equal(named, 300);
});

test('postgres: the store answers the same through named statements (run, read back, many times)', { skip: !pg && 'PostgreSQL is not reachable' }, async () => {
  const url = await freshStoreUrl('postgres');
  const database = await openDatabase(url);
  await migrate(database);
  const store = await SqlStore.open(database);
  try {
    for (let i = 0; i < 12; i++) {
      const res = await store.ingest({ dedupeKey: `k${i}`, type: 't', source: 's', entityKey: `e${i}`, payload: { i } }, () => [{ flowId: 'f', flowVersion: 'v', firstStep: 'a' }]);
      const ev = await store.getEvent(res.eventId);
      assert.deepEqual(ev?.payload, { i });
      const again = await store.ingest({ dedupeKey: `k${i}`, type: 't', source: 's', entityKey: `e${i}`, payload: { i } }, () => []);
      assert.equal(again.created, false);
    }
    // Prepared statements belong to a connection, and the loop's may not be the next one the pool hands
    // out (each ingest's wake NOTIFY borrows one, up to 5 ms later): every idle connection is asked.
    await new Promise((r) => setTimeout(r, 50));
    const pool = database.pgPool!;
    const clients = await Promise.all(Array.from({ length: pool.idleCount }, () => pool.connect()));
    try {
      const counts = await Promise.all(clients.map(async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows[0]!.n));
      assert.ok(counts.some((n) => n > 0), `some statements were prepared on a connection (${counts.join(', ')})`);
    } finally {
      for (const c of clients) c.release();
    }
  } finally {
    await store.close();
    await dropSchema(url);
  }
});

test('postgres: a prepared SELECT * made stale by an added column runs again unnamed and sees the column', { skip: !pg && 'PostgreSQL is not reachable' }, async () => {
  const url = await freshStoreUrl('postgres');
  const store = await openStore(url);
  try {
    await sql`CREATE TABLE widgets (id int PRIMARY KEY, name text)`.execute(store.db);
    await sql`INSERT INTO widgets VALUES (1, 'bolt')`.execute(store.db);
    const read = async () => (await sql<Record<string, unknown>>`SELECT * FROM widgets WHERE id = ${1}`.execute(store.db)).rows[0];
    for (let i = 0; i < 4; i++) assert.deepEqual(await read(), { id: 1, name: 'bolt' });
    // A newer version migrates the schema while this process runs.
    await sql`ALTER TABLE widgets ADD COLUMN size int NOT NULL DEFAULT 7`.execute(store.db);
    assert.deepEqual(await read(), { id: 1, name: 'bolt', size: 7 });
    assert.deepEqual(await read(), { id: 1, name: 'bolt', size: 7 });
  } finally {
    await store.close();
    await dropSchema(url);
  }
});
