/**
 * The store over Kysely, for SQLite and PostgreSQL alike. Every write a worker makes to its run is fenced
 * by `locked_by = workerId`: a worker that lost its lease (it stalled, another took the run over) writes
 * nothing and abandons the run.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from './db.ts';
import type { EventsTable, Tables } from './schema.ts';
import type { AttemptFinish, AttemptRecord, EventRecord, IngestResult, NewEvent, NewXref, RunFilter, RunRecord, RunTargets, RunTransition, Store, XrefRecord } from './port.ts';
import { attemptFromRow, eventFromRow, runFromRow, xrefFromRow } from './rows.ts';
import { claimReadyRuns } from './claim.ts';
import { WAKE_CHANNEL, Waker } from './wake.ts';
import { StoreOps } from './sql-ops.ts';
import { ingestPg } from './ingest-pg.ts';
import { finishAndStartPg, finishIn, finishPg, insertEvent, insertRun, insertStarted, startAttemptPg, upsertXrefs } from './run-writes.ts';
import { GroupCommit } from './group-commit.ts';
import { refreshQueueStats } from './pg-stats.ts';


export class SqlStore extends StoreOps implements Store {
  readonly dialect: 'sqlite' | 'postgres';
  private readonly waker = new Waker();
  /** SQLite only: concurrent writes share one commit (see group-commit.ts). */
  readonly groupCommit: GroupCommit | undefined;

  private constructor(private readonly database: Database) {
    const group = database.dialect === 'sqlite' ? new GroupCommit(database.db) : undefined;
    super(database.db, () => this.wake(), group ? (fn) => group.write(fn) : (fn) => database.db.transaction().execute(fn));
    this.groupCommit = group;
    this.dialect = database.dialect;
  }

  static async open(database: Database, opts: { listen?: boolean } = {}): Promise<SqlStore> {
    const store = new SqlStore(database);
    if (database.pgPool && opts.listen !== false) await store.waker.listen(database.pgPool);
    if (database.sqliteDataVersion && opts.listen !== false && !database.url.endsWith(':memory:')) store.waker.watchSqlite(database.sqliteDataVersion);
    return store;
  }

  get db(): Kysely<Tables> {
    return this.database.db;
  }

  /** Wakes workers here and, on PostgreSQL, in every other process. */
  private wake(): void {
    this.waker.emit();
    if (this.database.pgPool) this.notifyOthers();
  }

  private notifyTimer: NodeJS.Timeout | undefined;
  private notifyAgain = false;

  /**
   * At most one NOTIFY per 5 ms (the first at once, one more at the end of the window if anything else
   * woke meanwhile). Every committing transaction that notifies takes PostgreSQL's one notification-queue
   * lock, so a NOTIFY per webhook capped ingest near 800/s here; a worker elsewhere wakes ≤ 5 ms later.
   */
  private notifyOthers(): void {
    if (this.notifyTimer) {
      this.notifyAgain = true;
      return;
    }
    this.database.pgPool!.query(`SELECT pg_notify('${WAKE_CHANNEL}', '')`).catch(() => {
      // Best effort: workers also poll.
    });
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      if (this.notifyAgain) {
        this.notifyAgain = false;
        this.notifyOthers();
      }
    }, 5);
    this.notifyTimer.unref();
  }

  async maintain(): Promise<void> {
    if (this.dialect === 'postgres') await refreshQueueStats(this.db);
  }

  onWake(listener: () => void): () => void {
    return this.waker.on(listener);
  }

  // ---- flow versions

  async saveFlowVersion(flowId: string, version: string, source: string, definition: unknown): Promise<void> {
    await this.db
      .insertInto('flow_versions')
      .values({ flow_id: flowId, version, source, definition: JSON.stringify(definition), created_at: Date.now() })
      .onConflict((oc) => oc.columns(['flow_id', 'version']).doNothing())
      .execute();
  }

  async getFlowVersion(flowId: string, version: string): Promise<{ source: string; definition: unknown } | undefined> {
    const row = await this.db.selectFrom('flow_versions').select(['source', 'definition']).where('flow_id', '=', flowId).where('version', '=', version).executeTakeFirst();
    return row ? { source: row.source, definition: JSON.parse(row.definition) } : undefined;
  }

  // ---- ingress

  async ingest(event: NewEvent, targets: RunTargets): Promise<IngestResult> {
    const result = this.dialect === 'postgres' ? (await ingestPg(this.db, [event], targets))[0]! : await this.tx((trx) => this.ingestIn(trx, event, targets));
    if (result.runIds.length > 0) this.wake();
    return result;
  }

  async ingestPoll(cursorName: string, cursor: string | null, events: NewEvent[], targets: RunTargets): Promise<IngestResult[]> {
    const results = this.dialect === 'postgres' ? await ingestPg(this.db, events, targets, { name: cursorName, value: cursor }) : await this.tx(async (trx) => {
      const out: IngestResult[] = [];
      for (const ev of events) out.push(await this.ingestIn(trx, ev, targets));
      await upsertCursor(trx, cursorName, cursor);
      return out;
    });
    if (results.some((r) => r.runIds.length > 0)) this.wake();
    return results;
  }

  private async ingestIn(trx: Transaction<Tables>, event: NewEvent, targets: RunTargets): Promise<IngestResult> {
    const now = Date.now();
    const inserted = await insertEvent(trx, event, now);
    if (!inserted) {
      const existing = await trx.selectFrom('events').select('id').where('dedupe_key', '=', event.dedupeKey).executeTakeFirstOrThrow();
      const runs = await trx.selectFrom('runs').select('id').where('event_id', '=', Number(existing.id)).execute();
      return { eventId: Number(existing.id), created: false, runIds: runs.map((r) => Number(r.id)) };
    }
    const ev = eventFromRow(inserted);
    const runIds: number[] = [];
    for (const t of targets(ev)) runIds.push(await insertRun(trx, t, ev, now));
    return { eventId: ev.id, created: true, runIds };
  }

  async getEvent(id: number): Promise<EventRecord | undefined> {
    const row = (await sql<Selectable<EventsTable>>`SELECT * FROM events WHERE id = ${id}`.execute(this.db)).rows[0];
    return row ? eventFromRow(row) : undefined;
  }

  async getEventAndVersion(id: number, versionKey: string): Promise<{ event: EventRecord | undefined; applied: string | undefined }> {
    const row = (await sql<Selectable<EventsTable> & { applied_version: string | null }>`SELECT e.*, (SELECT v.version FROM entity_versions v WHERE v.key = ${versionKey}) AS applied_version FROM events e WHERE e.id = ${id}`.execute(this.db)).rows[0];
    if (!row) return { event: undefined, applied: undefined };
    const { applied_version: applied, ...event } = row;
    return { event: eventFromRow(event), applied: applied ?? undefined };
  }

  async countEvents(): Promise<number> {
    const row = await this.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // ---- the queue

  async claimRuns(workerId: string, limit: number, leaseMs: number, now = Date.now()): Promise<RunRecord[]> {
    // SQLite: the claim's write joins the group commit; PostgreSQL: its own statement (row locks).
    const rows = this.dialect === 'sqlite' ? await this.tx((trx) => claimReadyRuns(trx, 'sqlite', workerId, limit, leaseMs, now)) : await claimReadyRuns(this.db, this.dialect, workerId, limit, leaseMs, now);
    return rows.map(runFromRow);
  }

  async renewLease(runId: number, workerId: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    const res = await this.db.updateTable('runs').set({ locked_until: now + leaseMs }).where('id', '=', runId).where('locked_by', '=', workerId).where('status', '=', 'running').executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async startAttempt(runId: number, workerId: string, stepId: string, attempt: number, input: unknown): Promise<number | undefined> {
    if (this.dialect === 'postgres') return startAttemptPg(this.db, runId, workerId, stepId, attempt, input);
    return this.tx(async (trx) => {
      const now = Date.now();
      const res = await sql`UPDATE runs SET current_step = ${stepId}, step_attempt = ${attempt}, updated_at = ${now}
        WHERE id = ${runId} AND locked_by = ${workerId} AND status = 'running'`.execute(trx);
      if (Number(res.numAffectedRows ?? 0) === 0) return undefined;
      return insertStarted(trx, runId, stepId, attempt, input, now);
    });
  }

  async finishAttempt(runId: number, workerId: string, finish: AttemptFinish | undefined, next: RunTransition): Promise<boolean> {
    const single = this.dialect === 'postgres' && !next.event;
    const ok = single ? await finishPg(this.db, runId, workerId, finish, next) : await this.tx(async (trx) => {
      if (!(await finishIn(trx, runId, workerId, finish, next))) return false;
      if (next.event) await this.ingestIn(trx, next.event.event, next.event.targets);
      return true;
    });
    // A finished run may free its lane for the next run of the same entity.
    if (ok && next.status !== 'running') this.wake();
    return ok;
  }

  async finishAndStart(runId: number, workerId: string, finish: AttemptFinish | undefined, next: RunTransition & { currentStep: string }): Promise<number | undefined> {
    if (this.dialect === 'postgres') return finishAndStartPg(this.db, runId, workerId, finish, next);
    return this.tx(async (trx) => {
      if (!(await finishIn(trx, runId, workerId, finish, { ...next, status: 'running', stepAttempt: 1 }))) return undefined;
      return insertStarted(trx, runId, next.currentStep, 1, null, Date.now());
    });
  }

  async interruptDanglingAttempts(runId: number, stepId: string): Promise<AttemptRecord[]> {
    const rows = await this.db.selectFrom('step_attempts').selectAll().where('run_id', '=', runId).where('step_id', '=', stepId).where('status', '=', 'started').execute();
    if (rows.length === 0) return [];
    const now = Date.now();
    await this.db.updateTable('step_attempts').set({ status: 'interrupted', finished_at: now }).where('run_id', '=', runId).where('step_id', '=', stepId).where('status', '=', 'started').execute();
    return rows.map((r) => ({ ...attemptFromRow(r), status: 'interrupted' as const, finishedAt: now }));
  }

  // ---- reading

  async getRun(id: number): Promise<RunRecord | undefined> {
    const row = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? runFromRow(row) : undefined;
  }

  async listRuns(f: RunFilter): Promise<RunRecord[]> {
    let q = this.db.selectFrom('runs').selectAll();
    if (f.status) q = q.where('status', '=', f.status);
    if (f.flowId) q = q.where('flow_id', '=', f.flowId);
    if (f.entityKey) q = q.where('entity_key', '=', f.entityKey);
    if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
    const rows = await q.orderBy('id', 'desc').limit(Math.min(f.limit ?? 50, 1000)).execute();
    return rows.map(runFromRow);
  }

  async listAttempts(runId: number): Promise<AttemptRecord[]> {
    const rows = await this.db.selectFrom('step_attempts').selectAll().where('run_id', '=', runId).orderBy('id').execute();
    return rows.map(attemptFromRow);
  }

  async countRunsByStatus(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('runs').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  // ---- cross-references

  async putXref(x: NewXref): Promise<XrefRecord> {
    const now = Date.now();
    await upsertXrefs([x], now).execute(this.db);
    return { ...x, createdAt: now };
  }

  async findXref(entity: string, system: string, id: string): Promise<XrefRecord[]> {
    const rows = await xrefLookup(this.db, entity, system, id).execute();
    return rows.map(xrefFromRow);
  }

  async close(): Promise<void> {
    clearTimeout(this.notifyTimer);
    this.waker.close();
    await this.database.close();
  }
}

/**
 * The cross-references with `system:id` on either side: two lookups, one per index, rather than one OR,
 * which SQLite planned as a walk over every cross-reference of the entity (0.9 ms at 2,500 rows, growing
 * with the table). UNION: a row with the id on both sides comes once.
 */
export function xrefLookup(db: Kysely<Tables>, entity: string, system: string, id: string) {
  return db
    .selectFrom('xrefs')
    .selectAll()
    .where('entity', '=', entity)
    .where('left_system', '=', system)
    .where('left_id', '=', id)
    .union(db.selectFrom('xrefs').selectAll().where('entity', '=', entity).where('right_system', '=', system).where('right_id', '=', id));
}

export async function upsertCursor(db: Kysely<Tables> | Transaction<Tables>, name: string, value: string | null): Promise<void> {
  const now = Date.now();
  await db
    .insertInto('cursors')
    .values({ name, value, updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: now }))
    .execute();
}
