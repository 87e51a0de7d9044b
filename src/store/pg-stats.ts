/**
 * Fresh planner statistics for the queue table on PostgreSQL. Without them (a new database, or a
 * backlog that grew within autovacuum's one-minute nap) the planner takes a few thousand ready runs for
 * two, sorts them all on every claim and checks each one's lane: a claim took 15–60 ms instead of
 * 0.2 ms (measured with 3,000 queued runs: 60 runs/s instead of 300). The engine therefore analyzes the
 * table itself when it has changed much since the last analysis: at start and from the workers' loop.
 */
import { sql, type Kysely } from 'kysely';
import type { Tables } from './schema.ts';

interface TableStats {
  live: number;
  changed: number;
  analyzed: boolean;
}

async function statsOf(db: Kysely<Tables>, table: string): Promise<TableStats | undefined> {
  const res = await sql<{ live: number; changed: number; analyzed: boolean }>`
    SELECT n_live_tup AS live, n_mod_since_analyze AS changed,
      (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL) AS analyzed
    FROM pg_stat_user_tables WHERE relid = to_regclass(${table})`.execute(db);
  const row = res.rows[0];
  return row ? { live: Number(row.live), changed: Number(row.changed), analyzed: Boolean(row.analyzed) } : undefined;
}

/** True when the queue table's statistics are missing or stale: ≥ 500 changes and ≥ 20 % of its rows. */
export function needsAnalyze(s: TableStats): boolean {
  return s.changed >= 500 && (!s.analyzed || s.changed >= 0.2 * s.live);
}

/** Analyzes the runs table when its statistics are stale; answers whether it did. */
export async function refreshQueueStats(db: Kysely<Tables>): Promise<boolean> {
  const stats = await statsOf(db, 'runs');
  if (!stats || !needsAnalyze(stats)) return false;
  await sql`ANALYZE runs`.execute(db);
  return true;
}
