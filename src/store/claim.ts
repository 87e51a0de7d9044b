/**
 * The claim: the run table is the queue. A run is ready when it is queued or waiting with `run_at` due,
 * or running under an expired lease (its worker died). Only the head of each lane may be claimed: no
 * earlier run of the same entity key (by event order, then id) may still be queued, running or waiting.
 *
 * PostgreSQL locks the chosen rows with FOR UPDATE SKIP LOCKED (in each branch; a branch may lock a few
 * rows the final LIMIT then leaves, until the statement ends), so concurrent workers never claim the same
 * run; when a competing claim commits first, the re-check of the WHERE clause on the locked row drops it.
 * SQLite has one writer at a time, so the same statement is atomic there without row locks.
 */
import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { RunsTable, Tables } from './schema.ts';

export async function claimReadyRuns(db: Kysely<Tables>, dialect: 'sqlite' | 'postgres', workerId: string, limit: number, leaseMs: number, now: number): Promise<Array<Selectable<RunsTable>>> {
  const lockClause = dialect === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
  const laneHead = sql`NOT EXISTS (
    SELECT 1 FROM runs o
    WHERE o.entity_key = r.entity_key
      AND o.status IN ('queued', 'running', 'waiting')
      AND (o.lane_seq < r.lane_seq OR (o.lane_seq = r.lane_seq AND o.id < r.id))
  )`;
  // One branch per kind of readiness, each walking the (status, run_at) index in order and stopping at
  // `limit`: the cost of a claim follows `limit`, not the length of the backlog.
  const ready = (where: RawBuilder<unknown>) => sql`SELECT * FROM (
    SELECT r.id, r.run_at FROM runs r WHERE ${where} AND ${laneHead}
    ORDER BY r.run_at, r.id LIMIT ${limit} ${lockClause}
  ) b`;
  const candidates = sql`SELECT c.id FROM (
        ${ready(sql`r.status = 'queued' AND r.run_at <= ${now}`)}
        UNION ALL
        ${ready(sql`r.status = 'waiting' AND r.run_at <= ${now}`)}
        UNION ALL
        ${ready(sql`r.status = 'running' AND r.locked_until < ${now}`)}
      ) c
      ORDER BY c.run_at, c.id
      LIMIT ${limit}`;
  const take = sql`UPDATE runs SET status = 'running', locked_by = ${workerId}, locked_until = ${now + leaseMs}, updated_at = ${now}`;
  let rows: Array<Selectable<RunsTable>>;
  if (dialect === 'postgres') {
    rows = (await sql<Selectable<RunsTable>>`${take} WHERE id IN (${candidates}) RETURNING *`.execute(db)).rows;
  } else {
    // SQLite: the ids first, then the update by id, in the caller's transaction (one writer: nothing can
    // come between). Measured: about half the CPU of the one statement, whose UPDATE … IN (compound
    // subquery) SQLite evaluates less well. The update re-checks readiness, so it never takes a run that
    // stopped being ready, whatever the isolation.
    const ids = (await candidates.execute(db)).rows.map((r) => Number((r as { id: number }).id));
    if (ids.length === 0) return [];
    rows = (await sql<Selectable<RunsTable>>`${take}
      WHERE id IN (${sql.join(ids)})
        AND ((status IN ('queued', 'waiting') AND run_at <= ${now}) OR (status = 'running' AND locked_until < ${now}))
      RETURNING *`.execute(db)).rows;
  }
  return [...rows].sort((a, b) => Number(a.id) - Number(b.id));
}
