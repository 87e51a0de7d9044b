/**
 * The writes every step of every run makes: the fenced move of the run and its attempt's outcome, and
 * the next attempt's `started` row. They are written as fixed SQL texts rather than through the query
 * builder: these few statements run several times per run, and building plus compiling them cost as much
 * as SQLite executing them. Every move is fenced by `locked_by = workerId AND status = 'running'`.
 */
import { sql, type Kysely, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import type { AttemptFinish, CompletedAttempt, EventRecord, NewEvent, NewXref, RunTarget, RunTransition } from './port.ts';
import { contextToJson, outputToJson, toJson } from './rows.ts';
import type { EventsTable, Tables } from './schema.ts';
import { raiseEntityVersion } from './sql-ops.ts';

const TERMINAL = new Set(['succeeded', 'cancelled', 'skipped', 'dead', 'blocked']);

/** The event, unless its dedupe key is known already (then undefined: nothing was written). */
export async function insertEvent(trx: Transaction<Tables>, event: NewEvent, now: number): Promise<Selectable<EventsTable> | undefined> {
  const res = await sql<Selectable<EventsTable>>`INSERT INTO events (dedupe_key, type, source, entity_key, version, payload, occurred_at, received_at)
    VALUES (${event.dedupeKey}, ${event.type}, ${event.source}, ${event.entityKey}, ${event.version ?? null}, ${JSON.stringify(event.payload ?? null)}, ${event.occurredAt ?? null}, ${now})
    ON CONFLICT (dedupe_key) DO NOTHING RETURNING *`.execute(trx);
  return res.rows[0];
}

/** A queued run of `target` for the event, at the head of its lane's order by event id. */
export async function insertRun(trx: Transaction<Tables>, target: RunTarget, ev: EventRecord, now: number): Promise<number> {
  const res = await sql<{ id: number }>`INSERT INTO runs (flow_id, flow_version, event_id, entity_key, lane_seq, event_version, status, current_step, step_attempt, context, run_at, created_at, updated_at)
    VALUES (${target.flowId}, ${target.flowVersion}, ${ev.id}, ${ev.entityKey}, ${ev.id}, ${ev.version}, 'queued', ${target.firstStep}, 0, ${EMPTY_CONTEXT}, ${now}, ${now}, ${now})
    RETURNING id`.execute(trx);
  return Number(res.rows[0]!.id);
}

/** The context of a run that has not run a step yet. */
export const EMPTY_CONTEXT = JSON.stringify({ steps: {}, vars: {} });

/** PostgreSQL: the fenced move to `stepId` and its `started` attempt as one statement (one round trip instead of four). */
export async function startAttemptPg(db: Kysely<Tables>, runId: number, workerId: string, stepId: string, attempt: number, input: unknown): Promise<number | undefined> {
  const now = Date.now();
  const res = await sql<{ id: number }>`
    WITH moved AS (
      UPDATE runs SET current_step = ${stepId}, step_attempt = ${attempt}, updated_at = ${now}
      WHERE id = ${runId} AND locked_by = ${workerId} AND status = 'running'
      RETURNING id
    )
    INSERT INTO step_attempts (run_id, step_id, attempt, status, input, started_at)
    SELECT id, ${stepId}, ${attempt}, 'started', ${toJson(input)}, ${now} FROM moved
    RETURNING id`.execute(db);
  const row = res.rows[0];
  return row ? Number(row.id) : undefined;
}

/** Attempts already finished (steps that only think), in their order, in one statement. */
export async function insertCompleted(trx: Transaction<Tables>, runId: number, completed: CompletedAttempt[]): Promise<void> {
  if (completed.length === 0) return;
  const rows = completed.map(
    (c) => sql`(${runId}, ${c.stepId}, ${c.attempt}, ${c.status}, ${toJson(c.input)}, ${outputToJson(c.output)}, ${c.startedAt}, ${c.finishedAt}, ${c.finishedAt - c.startedAt})`,
  );
  await sql`INSERT INTO step_attempts (run_id, step_id, attempt, status, input, output, started_at, finished_at, duration_ms) VALUES ${sql.join(rows)}`.execute(trx);
}

export async function insertStarted(trx: Transaction<Tables>, runId: number, stepId: string, attempt: number, input: unknown, now: number): Promise<number> {
  const res = await sql<{ id: number }>`INSERT INTO step_attempts (run_id, step_id, attempt, status, input, started_at)
    VALUES (${runId}, ${stepId}, ${attempt}, 'started', ${toJson(input)}, ${now}) RETURNING id`.execute(trx);
  return Number(res.rows[0]!.id);
}

/** One row per key: the last put of a key wins, as one after the other would (an upsert may not touch a row twice). */
function lastPerKey(xrefs: NewXref[]): NewXref[] {
  return [...new Map(xrefs.map((x) => [JSON.stringify([x.entity, x.leftSystem, x.leftId, x.rightSystem]), x])).values()];
}

const XREF_CONFLICT = sql`ON CONFLICT (entity, left_system, left_id, right_system) DO UPDATE SET right_id = excluded.right_id, data = excluded.data`;

/** Upserts cross-references (both dialects). */
export function upsertXrefs(xrefs: NewXref[], now: number): RawBuilder<unknown> {
  const rows = lastPerKey(xrefs).map((x) => sql`(${x.entity}, ${x.leftSystem}, ${x.leftId}, ${x.rightSystem}, ${x.rightId}, ${JSON.stringify(x.data)}, ${now})`);
  return sql`INSERT INTO xrefs (entity, left_system, left_id, right_system, right_id, data, created_at) VALUES ${sql.join(rows)} ${XREF_CONFLICT}`;
}

/** PostgreSQL: a CTE upserting `xrefs` only when the run was moved (nothing when there are none). */
function xrefsAfterMove(xrefs: NewXref[] | undefined): RawBuilder<unknown> {
  if (!xrefs?.length) return sql``;
  const now = Date.now();
  const rows = lastPerKey(xrefs).map((x) => sql`(${x.entity}::text, ${x.leftSystem}::text, ${x.leftId}::text, ${x.rightSystem}::text, ${x.rightId}::text, ${JSON.stringify(x.data)}::text, ${now}::bigint)`);
  return sql`, xrefs_put AS (INSERT INTO xrefs (entity, left_system, left_id, right_system, right_id, data, created_at)
    SELECT v.* FROM moved, (VALUES ${sql.join(rows)}) AS v (entity, left_system, left_id, right_system, right_id, data, created_at)
    ${XREF_CONFLICT})`;
}

/** Finished attempts as typed VALUES rows (ord, step_id, attempt, status, input, output, started_at, finished_at, duration_ms). */
function completedRows(completed: CompletedAttempt[]): RawBuilder<unknown>[] {
  return completed.map((c, i) => sql`(${i}::int, ${c.stepId}::text, ${c.attempt}::int, ${c.status}::text, ${toJson(c.input)}::text, ${outputToJson(c.output)}::text, ${c.startedAt}::bigint, ${c.finishedAt}::bigint, ${c.finishedAt - c.startedAt}::int)`);
}

/** PostgreSQL: inserts `rows` (see completedRows) for the run `moved` answers, in their order. */
function insertRowsAfterMove(rows: RawBuilder<unknown>[]): RawBuilder<unknown> {
  return sql`INSERT INTO step_attempts (run_id, step_id, attempt, status, input, output, started_at, finished_at, duration_ms)
    SELECT moved.id, v.step_id, v.attempt, v.status, v.input, v.output, v.started_at, v.finished_at, v.duration_ms
    FROM moved, (VALUES ${sql.join(rows)}) AS v (ord, step_id, attempt, status, input, output, started_at, finished_at, duration_ms)
    ORDER BY v.ord`;
}

/** The fenced move of a run (an UPDATE, without RETURNING). Optional fields keep their stored value when not given. */
function moveRun(runId: number, workerId: string, next: RunTransition, now: number): RawBuilder<unknown> {
  const stillRunning = next.status === 'running';
  const context = next.context !== undefined ? contextToJson(next.context) : null;
  const setError = next.lastError !== undefined;
  const setWaiting = next.waitingFor !== undefined;
  return sql`UPDATE runs SET status = ${next.status}, current_step = ${next.currentStep}, step_attempt = ${next.stepAttempt},
      context = COALESCE(${context}, context),
      run_at = COALESCE(${next.runAt ?? null}, run_at),
      last_error = CASE WHEN ${setError ? 1 : 0} = 1 THEN ${setError ? toJson(next.lastError) : null} ELSE last_error END,
      waiting_for = CASE WHEN ${setWaiting ? 1 : 0} = 1 THEN ${next.waitingFor ?? null} ELSE waiting_for END,
      locked_by = ${stillRunning ? workerId : null},
      locked_until = CASE WHEN ${stillRunning ? 1 : 0} = 1 THEN locked_until ELSE NULL END,
      updated_at = ${now}, finished_at = ${TERMINAL.has(next.status) ? now : null}
    WHERE id = ${runId} AND locked_by = ${workerId} AND status = 'running'`;
}

/** An attempt's outcome (an UPDATE); `guard` adds a condition (PostgreSQL: the run was moved). */
function finishAttemptRow(finish: AttemptFinish, guard: RawBuilder<unknown> = sql`TRUE`): RawBuilder<unknown> {
  const input = finish.input !== undefined ? toJson(finish.input) : null;
  return sql`UPDATE step_attempts SET status = ${finish.status}, output = ${outputToJson(finish.output)}, error = ${toJson(finish.error)},
      finished_at = ${finish.finishedAt}, duration_ms = ${finish.finishedAt - finish.startedAt}, input = COALESCE(${input}, input)
    WHERE id = ${finish.attemptId} AND ${guard}`;
}

/** The fenced run move and the attempt's outcome; false (nothing written) when `workerId` lost the lease. */
export async function finishIn(trx: Transaction<Tables>, runId: number, workerId: string, finish: AttemptFinish | undefined, next: RunTransition): Promise<boolean> {
  const res = await moveRun(runId, workerId, next, Date.now()).execute(trx);
  if (Number(res.numAffectedRows ?? 0) === 0) return false;
  if (finish) await finishAttemptRow(finish).execute(trx);
  await insertCompleted(trx, runId, next.completed ?? []);
  if (next.xrefs?.length) await upsertXrefs(next.xrefs, Date.now()).execute(trx);
  if (next.appliedVersion) await raiseEntityVersion(trx, next.appliedVersion.key, next.appliedVersion.version);
  return true;
}

/**
 * PostgreSQL: `finishIn` as ONE statement (data-modifying CTEs run atomically): the run's last move, its
 * attempt's outcome and the lane's version, one round trip instead of five.
 */
export async function finishPg(db: Kysely<Tables>, runId: number, workerId: string, finish: AttemptFinish | undefined, next: RunTransition): Promise<boolean> {
  const v = next.appliedVersion;
  const res = await sql<{ n: number }>`
    WITH moved AS (${moveRun(runId, workerId, next, Date.now())} RETURNING id)
    ${finish ? sql`, finished AS (${finishAttemptRow(finish, sql`EXISTS (SELECT 1 FROM moved)`)})` : sql``}
    ${next.completed?.length ? sql`, ahead AS (${insertRowsAfterMove(completedRows(next.completed))})` : sql``}
    ${xrefsAfterMove(next.xrefs)}
    ${v ? sql`, raised AS (INSERT INTO entity_versions (key, version, updated_at) SELECT ${v.key}::text, ${v.version}::text, ${Date.now()}::bigint FROM moved
        ON CONFLICT (key) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at WHERE entity_versions.version < excluded.version)` : sql``}
    SELECT count(*)::int AS n FROM moved`.execute(db);
  return Number(res.rows[0]?.n ?? 0) > 0;
}

/**
 * The same move as `finishIn` + `insertCompleted` + `insertStarted` (the finish is absent at a run's first
 * write), as ONE PostgreSQL statement
 * (data-modifying CTEs run atomically): one round trip instead of five, on the path every step of every
 * run takes. The fence is the same: nothing is written unless the run is still running under this lease.
 */
export async function finishAndStartPg(db: Kysely<Tables>, runId: number, workerId: string, finish: AttemptFinish | undefined, next: RunTransition & { currentStep: string }): Promise<number | undefined> {
  const now = Date.now();
  const completed = next.completed ?? [];
  // The steps run ahead, finished, and the next step's `started` attempt, in this order (ids follow it).
  const rows = [
    ...completedRows(completed),
    sql`(${completed.length}::int, ${next.currentStep}::text, 1, 'started', NULL::text, NULL::text, ${now}::bigint, NULL::bigint, NULL::int)`,
  ];
  const res = await sql<{ id: number; status: string }>`
    WITH moved AS (${moveRun(runId, workerId, { ...next, status: 'running', stepAttempt: 1 }, now)} RETURNING id)
    ${finish ? sql`, finished AS (${finishAttemptRow(finish, sql`EXISTS (SELECT 1 FROM moved)`)})` : sql``}
    ${xrefsAfterMove(next.xrefs)}
    ${insertRowsAfterMove(rows)}
    RETURNING id, status`.execute(db);
  const row = res.rows.find((r) => r.status === 'started');
  return row ? Number(row.id) : undefined;
}
