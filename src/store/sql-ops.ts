/**
 * The store's smaller duties: what a person does to a run (retry, cancel, replay, signal), lane versions,
 * poller cursors and singleton leases. Shared by both dialects.
 */
import type { Kysely } from 'kysely';
import type { WriteFn } from './group-commit.ts';
import { UserError } from '../core/errors.ts';
import type { Tables } from './schema.ts';
import type { RunRecord } from './port.ts';
import { runFromRow } from './rows.ts';

export class RunNotFoundError extends UserError {
  constructor(runId: number) {
    super('OF_RUN_NOT_FOUND', `run ${runId} does not exist; list runs with GET /api/runs`, { runId });
  }
}

export class StoreOps {
  constructor(
    protected readonly kdb: Kysely<Tables>,
    private readonly wakeAll: () => void,
    /** Runs a write transaction (grouped with concurrent writes on SQLite). */
    protected readonly tx: <T>(fn: WriteFn<T>) => Promise<T>,
  ) {}

  private async mustGet(runId: number): Promise<RunRecord> {
    const row = await this.kdb.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
    if (!row) throw new RunNotFoundError(runId);
    return runFromRow(row);
  }

  /**
   * Blocked or dead → queued at the failed step, with a fresh attempt budget. With `flowVersion` the run
   * goes on under that version of its flow (the caller checked that it has the step): a fix made in the
   * flow (a mapping in its settings) applies to the rest of the run, its completed steps stay done.
   */
  async retryRun(runId: number, now = Date.now(), flowVersion?: string): Promise<RunRecord> {
    const res = await this.kdb
      .updateTable('runs')
      .set({ status: 'queued', run_at: now, step_attempt: 0, locked_by: null, locked_until: null, finished_at: null, waiting_for: null, updated_at: now, ...(flowVersion ? { flow_version: flowVersion } : {}) })
      .where('id', '=', runId)
      .where('status', 'in', ['blocked', 'dead'])
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) {
      const run = await this.mustGet(runId);
      throw new UserError('OF_RUN_NOT_RETRYABLE', `run ${runId} is ${run.status}; only blocked or dead runs can be retried`, { runId, status: run.status });
    }
    this.wakeAll();
    return this.mustGet(runId);
  }

  /**
   * Blocked runs whose scheduled re-check is due (run_at ≤ now; a run that waits for a person has run_at
   * in year 9999) → queued, to run again from the step they resume at. Answers how many.
   */
  async requeueDueRechecks(now = Date.now()): Promise<number> {
    const res = await this.kdb
      .updateTable('runs')
      .set({ status: 'queued', waiting_for: null, finished_at: null, updated_at: now })
      .where('status', '=', 'blocked')
      .where('run_at', '<=', now)
      .executeTakeFirst();
    const n = Number(res.numUpdatedRows);
    if (n > 0) this.wakeAll();
    return n;
  }

  /** Any unfinished run → cancelled. A worker holding it loses its fence and stops at its next write. */
  async cancelRun(runId: number, now = Date.now()): Promise<RunRecord> {
    const res = await this.kdb
      .updateTable('runs')
      .set({ status: 'cancelled', locked_by: null, locked_until: null, finished_at: now, updated_at: now })
      .where('id', '=', runId)
      .where('status', 'in', ['queued', 'running', 'waiting', 'blocked', 'dead'])
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) {
      const run = await this.mustGet(runId);
      throw new UserError('OF_RUN_NOT_CANCELLABLE', `run ${runId} is already ${run.status}; nothing to cancel`, { runId, status: run.status });
    }
    this.wakeAll();
    return this.mustGet(runId);
  }

  /** A new run of the same event from the first step, remembering which run it replays. */
  async replayRun(runId: number, firstStep: string, flowVersion: string, now = Date.now()): Promise<RunRecord> {
    const orig = await this.mustGet(runId);
    const row = await this.kdb
      .insertInto('runs')
      .values({
        flow_id: orig.flowId,
        flow_version: flowVersion,
        event_id: orig.eventId,
        entity_key: orig.entityKey,
        lane_seq: orig.laneSeq,
        event_version: orig.eventVersion,
        status: 'queued',
        current_step: firstStep,
        step_attempt: 0,
        context: JSON.stringify({ steps: {}, vars: { replayOf: runId } }),
        run_at: now,
        replay_of: runId,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    this.wakeAll();
    return runFromRow(row);
  }

  /** Delivers a signal (an approval decision) to a run waiting at `stepId`, and wakes it. */
  async signal(runId: number, stepId: string, payload: unknown, now = Date.now()): Promise<void> {
    const run = await this.mustGet(runId);
    if (run.status !== 'waiting' || run.waitingFor !== `signal:${stepId}`) {
      throw new UserError('OF_SIGNAL_NOT_WAITING', `run ${runId} is ${run.status}${run.waitingFor ? ` (${run.waitingFor})` : ''}, not waiting for a signal at step '${stepId}'`, { runId, stepId, status: run.status });
    }
    await this.tx(async (trx) => {
      await trx.insertInto('signals').values({ run_id: runId, step_id: stepId, payload: JSON.stringify(payload ?? null), created_at: now, consumed_at: null }).execute();
      await trx.updateTable('runs').set({ run_at: now, updated_at: now }).where('id', '=', runId).where('status', '=', 'waiting').execute();
    });
    this.wakeAll();
  }

  async getSignal(runId: number, stepId: string): Promise<unknown | undefined> {
    const row = await this.kdb.selectFrom('signals').select('payload').where('run_id', '=', runId).where('step_id', '=', stepId).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row ? JSON.parse(row.payload) : undefined;
  }

  async getEntityVersion(key: string): Promise<string | undefined> {
    const row = await this.kdb.selectFrom('entity_versions').select('version').where('key', '=', key).executeTakeFirst();
    return row?.version;
  }

  /** Raises the entity's applied version; never lowers it. */
  async setEntityVersion(key: string, version: string): Promise<void> {
    await raiseEntityVersion(this.kdb, key, version);
  }

  async getCursor(name: string): Promise<string | null> {
    const row = await this.kdb.selectFrom('cursors').select('value').where('name', '=', name).executeTakeFirst();
    return row?.value ?? null;
  }

  async setCursor(name: string, value: string | null): Promise<void> {
    const now = Date.now();
    await this.kdb
      .insertInto('cursors')
      .values({ name, value, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: now }))
      .execute();
  }

  /** Takes or renews a named lease (one poller cluster-wide). True when `holder` holds it now. */
  async tryLease(name: string, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    const row = await this.kdb
      .insertInto('leases')
      .values({ name, holder, expires_at: now + ttlMs })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder, expires_at: now + ttlMs })
          .where((eb) => eb.or([eb('leases.expires_at', '<', now), eb('leases.holder', '=', holder)])),
      )
      .returning('holder')
      .executeTakeFirst();
    return row?.holder === holder;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.kdb.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
  }
}

/** Raises the entity's applied version; never lowers it. */
export async function raiseEntityVersion(db: Kysely<Tables>, key: string, version: string): Promise<void> {
  const now = Date.now();
  await db
    .insertInto('entity_versions')
    .values({ key, version, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ version, updated_at: now }).where('entity_versions.version', '<', version))
    .execute();
}
