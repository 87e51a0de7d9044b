/** The queue table's planner statistics on PostgreSQL: analyzed when missing or stale, left alone otherwise. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openStore } from '../../src/store/index.ts';
import { needsAnalyze } from '../../src/store/pg-stats.ts';
import { dropSchema, freshStoreUrl, postgresAvailable } from '../helpers/stores.ts';

// Decided before any test is declared: a test declared after an await may start after the run ended.
const pgUp = await postgresAvailable();

test('statistics are refreshed after 500 changes that are a fifth of the table, or never analyzed', () => {
  assert.equal(needsAnalyze({ live: 0, changed: 0, analyzed: false }), false);
  assert.equal(needsAnalyze({ live: 3000, changed: 3000, analyzed: false }), true);
  assert.equal(needsAnalyze({ live: 3000, changed: 499, analyzed: false }), false);
  assert.equal(needsAnalyze({ live: 100_000, changed: 5_000, analyzed: true }), false);
  assert.equal(needsAnalyze({ live: 100_000, changed: 20_000, analyzed: true }), true);
});

test('postgres: a backlog stored into a fresh table is analyzed by the store, so claims walk the index', { skip: !pgUp }, async () => {
  const url = await freshStoreUrl('postgres');
  const store = await openStore(url, { listen: false });
  try {
    for (let i = 0; i < 700; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, k) => store.ingest({ dedupeKey: `k${i + k}`, type: 't', source: 's', entityKey: `e:${i + k}`, payload: null }, () => [{ flowId: 'f', flowVersion: 'v', firstStep: 'a' }])));
    }
    // Backends publish their counters with a delay (up to ~10 s for a pooled connection gone idle).
    let analyzed = false;
    for (let i = 0; i < 300 && !analyzed; i++) {
      await store.maintain();
      const res = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_user_tables WHERE relid = to_regclass('runs') AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)`.execute(store.db);
      analyzed = res.rows[0]?.n === 1;
      if (!analyzed) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(analyzed, 'the runs table was analyzed');
    const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT id FROM runs WHERE status = 'queued' AND run_at <= ${Date.now()} ORDER BY run_at LIMIT 16`.execute(store.db);
    assert.match(plan.rows.map((r) => r['QUERY PLAN']).join('\n'), /Index Scan using runs_ready/);
  } finally {
    await store.close();
    await dropSchema(url);
  }
});
