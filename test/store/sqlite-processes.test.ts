/**
 * Two processes on one SQLite file (`orderflow worker` beside `orderflow start`): a transaction that
 * reads, then writes (the claim), must not fail because the other process committed in between. With a deferred BEGIN it did, at once ("database is locked"); the store's
 * transactions take the write lock when they begin, and the other process waits its turn.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ROOT } from '../helpers/processes.ts';
import { sqliteUrl } from '../helpers/stores.ts';
import { migrate, openDatabase } from '../../src/store/db.ts';

/** The other process: a cursor written through the store's own database layer each time it reads "write". */
const OTHER = `
  import { createInterface } from 'node:readline';
  import { openDatabase } from './src/store/db.ts';
  const database = await openDatabase(process.argv[1]);
  console.log('ready');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line !== 'write') continue;
    await database.db.transaction().execute((trx) =>
      trx.insertInto('cursors').values({ name: 'other', value: '1', updated_at: Date.now() }).execute());
    console.log('written ' + Date.now());
  }
  await database.close();
`;

test('sqlite: a transaction that read first still writes after another process asked to write meanwhile; the other waits for its commit', async () => {
  const url = sqliteUrl();
  const database = await openDatabase(url);
  await migrate(database);
  const other = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', OTHER, url], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const lines = createInterface({ input: other.stdout! })[Symbol.asyncIterator]();
    assert.equal((await lines.next()).value, 'ready');
    let committedAt = 0;
    await database.db.transaction().execute(async (trx) => {
      // A read first, as the claim reads the ready runs before it takes them.
      await trx.selectFrom('cursors').selectAll().execute();
      other.stdin!.write('write\n');
      // Time for the other process to commit, if it can get the lock.
      await new Promise((r) => setTimeout(r, 400));
      await trx.insertInto('cursors').values({ name: 'mine', value: '1', updated_at: Date.now() }).execute();
      committedAt = Date.now();
    });
    const written = String((await lines.next()).value);
    assert.match(written, /^written \d+$/);
    assert.ok(Number(written.split(' ')[1]) >= committedAt, 'the other process wrote after this transaction committed, not in the middle of it');
    const names = (await database.db.selectFrom('cursors').select('name').orderBy('name').execute()).map((r) => r.name);
    assert.deepEqual(names, ['mine', 'other']);
  } finally {
    other.stdin!.end();
    if (other.exitCode === null) await once(other, 'exit');
    await database.close();
  }
});
