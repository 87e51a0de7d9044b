/** A cross-reference lookup walks its two indexes, never every cross-reference of the entity. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery } from 'kysely';
import { openStore } from '../../src/store/index.ts';
import { SqlStore, xrefLookup } from '../../src/store/sql-store.ts';
import { sqliteUrl } from '../helpers/stores.ts';

test('sqlite: finding a cross-reference by either side searches xrefs_left and xrefs_right by id', async () => {
  const store = await openStore(sqliteUrl(), { listen: false });
  try {
    assert.ok(store instanceof SqlStore);
    for (let i = 0; i < 200; i++) await store.putXref({ entity: 'customer', leftSystem: 'shop', leftId: String(i), rightSystem: 'erp', rightId: `C${i}`, data: {} });
    const q = xrefLookup(store.db, 'customer', 'shop', '7').compile();
    const plan = (await store.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${q.sql}`, [...q.parameters]))).rows.map((r) => r.detail);
    const searches = plan.filter((d) => /\bxrefs\b/.test(d));
    assert.equal(searches.length, 2, plan.join('\n'));
    assert.ok(searches.some((d) => /USING INDEX xrefs_left \(entity=\? AND left_system=\? AND left_id=\?/.test(d)), plan.join('\n'));
    assert.ok(searches.some((d) => /USING INDEX xrefs_right \(entity=\? AND right_system=\? AND right_id=\?\)/.test(d)), plan.join('\n'));
    assert.deepEqual((await store.findXref('customer', 'shop', '7')).map((x) => x.rightId), ['C7']);
    assert.deepEqual((await store.findXref('customer', 'erp', 'C9')).map((x) => x.leftId), ['9']);
  } finally {
    await store.close();
  }
});
