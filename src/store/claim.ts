/**
 * The claim: the run table is the queue. A run is ready when it is queued or waiting with `run_at` due,
 * or running under an expired lease (its worker died). Only the head of each lane may be claimed: no
 * earlier run of the same entity key (by event order, then id) may still be queued, running or waiting.
 *
 * PostgreSQL locks the chosen rows with FOR UPDATE SKIP LOCKED, so concurrent workers never claim the same
 * run; when a competing claim commits first, the re-check of the WHERE clause on the locked row drops it.
 * SQLite has one writer at a time, so the same statement is atomic there without row locks.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { RunsTable, Tables } from './schema.ts';

export async function claimReadyRuns(db: Kysely<Tables>, dialect: 'sqlite' | 'postgres', workerId: string, limit: number, leaseMs: number, now: number): Promise<Array<Selectable<RunsTable>>> {
  const lockClause = dialect === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
  const result = await sql<Selectable<RunsTable>>`
    UPDATE runs SET status = 'running', locked_by = ${workerId}, locked_until = ${now + leaseMs}, updated_at = ${now}
    WHERE id IN (
      SELECT r.id FROM runs r
      WHERE ((r.status IN ('queued', 'waiting') AND r.run_at <= ${now})
          OR (r.status = 'running' AND r.locked_until < ${now}))
        AND NOT EXISTS (
          SELECT 1 FROM runs o
          WHERE o.entity_key = r.entity_key
            AND o.status IN ('queued', 'running', 'waiting')
            AND (o.lane_seq < r.lane_seq OR (o.lane_seq = r.lane_seq AND o.id < r.id))
        )
      ORDER BY r.run_at, r.id
      LIMIT ${limit}
      ${lockClause}
    )
    RETURNING *`.execute(db);
  return [...result.rows].sort((a, b) => Number(a.id) - Number(b.id));
}
