/**
 * Executes one claimed run, step after step, until it finishes, waits, fails or loses its lease.
 *
 * The journal is written around every attempt: `started` before the step does anything, then the
 * outcome together with the run's move, in one transaction fenced by the lease. So after a crash:
 * completed steps are never executed again (their output is in the run's context), and a step found
 * `started` was interrupted: if it is a write, its reconcile probe runs before it may write again.
 */
import { serializeError, type OrderflowError } from '../core/errors.ts';
import { lazyChild, type Logger } from '../core/log.ts';
import { DEFAULT_RETRY, decideAfterFailure, mergeRetryPolicy } from '../core/retry.ts';
import { evaluateCondition } from '../flows/conditions.ts';
import type { ActionStep, FlowStep } from '../flows/types.ts';
import type { AttemptFinish, AttemptStatus, EventRecord, RunContextData, RunRecord, RunTransition, Store } from '../store/port.ts';
import type { CatalogFlow, FlowCatalog } from './catalog.ts';
import type { ConnectionRegistry } from './connections.ts';
import type { Notifier } from './ports.ts';
import { executeStep, type StepEnv, type StepOutcome } from './steps/index.ts';
import type { StepJournal } from './steps/types.ts';
import { nextStepId, thinkAhead, type AheadFailure } from './think-ahead.ts';

/** A waiting run with no timer is looked at again after this long anyway (it costs one claim). */
const FAR_WAKE_MS = 24 * 3600_000;

export interface RunExecutorDeps {
  workerId: string;
  store: Store;
  catalog: FlowCatalog;
  registry: ConnectionRegistry;
  notifier: Notifier | undefined;
  log: Logger;
  now: () => number;
  emit: (type: string, entityKey: string, payload: Record<string, unknown>, dedupeKey: string) => Promise<void>;
  /** An engine event to store inside the run's own write (alerts), and the in-process announcement after. */
  engineEvent: (type: string, entityKey: string, payload: Record<string, unknown>, dedupeKey: string) => NonNullable<RunTransition['event']>;
  announce: (type: string, payload: Record<string, unknown>) => void;
}

export class LeaseLost extends Error {}

export async function executeRun(deps: RunExecutorDeps, run: RunRecord, signal: AbortSignal): Promise<void> {
  const { store, workerId } = deps;
  const flow = await deps.catalog.get(run.flowId, run.flowVersion);
  const laneKey = `${run.flowId}|${run.entityKey}`;
  const { event, applied: appliedVersion } = await store.getEventAndVersion(run.eventId, laneKey);
  const log = lazyChild(deps.log, { runId: run.id, flowId: run.flowId, lane: run.entityKey });
  if (!event) throw new Error(`run ${run.id} refers to event ${run.eventId}, which is missing`);
  const context: RunContextData = run.context;

  if (isStale(run, appliedVersion, context)) {
    const reason = `event version ${run.eventVersion} is older than version ${appliedVersion} already applied to ${run.entityKey}`;
    log.info({ reason }, 'stale event skipped');
    await store.finishAttempt(run.id, workerId, undefined, { status: 'skipped', currentStep: null, stepAttempt: 0, lastError: { kind: 'stale', code: 'OF_EVENT_STALE', message: reason } });
    return;
  }

  const data = { event: eventView(event), steps: context.steps, vars: context.vars, settings: flow.flow.settings ?? {}, run: { id: String(run.id), flowId: run.flowId, flowVersion: run.flowVersion } };
  const envFor = (step: FlowStep, attempt: number, journal: StepJournal, stepLog: Logger, reconcileFirst = false): StepEnv => ({
    run, event, flow, step, attempt, data, vars: context.vars, store, registry: deps.registry, notifier: deps.notifier, log: stepLog,
    now: deps.now, signal, journal, reconcileFirst,
    emit: (type, payload, key) => deps.emit(type, run.entityKey, payload, key),
  });

  // Actions whose connector says they do not write ride along with the next durable write (think-ahead.ts).
  const readsOnly = (st: ActionStep): boolean => {
    try {
      return deps.registry.action(st.connection, st.action).write !== true;
    } catch {
      return false; // an unknown action: its normal path reports it
    }
  };
  // The next step's attempt, already started in the same transaction that finished the previous step.
  let preStarted: number | undefined;
  // A step of the last chain that threw: recorded as its attempt's failure, without running it again.
  let captured: AheadFailure | undefined;
  /**
   * Runs the chain from `from`, then writes `finish` (the step before, if any), the chain's attempts and
   * the start of the next step that acts, or the run's end, in one transaction. Answers the next step.
   */
  const advance = async (finish: AttemptFinish | undefined, from: string): Promise<string | null> => {
    const ahead = await thinkAhead({ flow, from, context, data, now: deps.now, readsOnly, envFor: (st, journal) => envFor(st, 1, journal, lazyChild(log, { stepId: st.id, attempt: 1 })) });
    if (signal.aborted) throw new LeaseLost();
    if (ahead.next === null) {
      if (!(await store.finishAttempt(run.id, workerId, finish, { status: 'succeeded', currentStep: null, stepAttempt: 0, context, appliedVersion: applied(run, laneKey), completed: ahead.completed, xrefs: ahead.xrefs }))) throw new LeaseLost();
      log.info({ thoughtAhead: ahead.completed.length }, 'run succeeded');
      return null;
    }
    const changed = finish !== undefined || ahead.completed.length > 0;
    preStarted = await store.finishAndStart(run.id, workerId, finish, { status: 'running', currentStep: ahead.next, stepAttempt: 0, context: changed ? context : undefined, completed: ahead.completed, xrefs: ahead.xrefs });
    if (preStarted === undefined) throw new LeaseLost();
    captured = ahead.failure;
    return ahead.next;
  };

  let stepId: string | null = run.currentStep;
  let stepAttempt = run.stepAttempt;
  // A fresh start (not a step interrupted or retried): run ahead from it before the first write.
  if (stepId !== null && stepAttempt === 0 && flow.steps.has(stepId)) stepId = await advance(undefined, stepId);
  let firstStep = true;
  while (stepId !== null) {
    if (signal.aborted) throw new LeaseLost();
    const entry = flow.steps.get(stepId);
    if (!entry) {
      await fail(deps, run, flow, stepId, stepAttempt + 1, undefined, new Error(`step '${stepId}' is not in flow '${flow.flow.id}' version ${flow.version}`), context, log);
      return;
    }
    // Only the first step of a claim can have been interrupted by a dead worker, and only if an attempt
    // of it was started: an attempt is recorded `started` in the same write that sets step_attempt ≥ 1.
    const dangling = firstStep && run.stepAttempt > 0 ? await store.interruptDanglingAttempts(run.id, stepId) : [];
    firstStep = false;
    const attempt = stepAttempt + 1;
    const step = entry.step;
    const stepLog = lazyChild(log, { stepId, attempt });
    const failed = captured?.stepId === stepId ? captured : undefined;
    captured = undefined;
    const t0 = failed?.startedAt ?? deps.now();
    const attemptId = preStarted ?? (await store.startAttempt(run.id, workerId, stepId, attempt, null));
    preStarted = undefined;
    if (attemptId === undefined) throw new LeaseLost();
    let outcome: StepOutcome;
    const journal: StepJournal = {};
    try {
      if (failed) {
        journal.input = failed.input;
        throw failed.error;
      }
      if (step.when !== undefined && !evaluateCondition(step.when, data)) {
        outcome = { kind: 'done', output: null, status: 'skipped' };
      } else {
        outcome = await executeStep(envFor(step, attempt, journal, stepLog, dangling.length > 0));
      }
    } catch (err) {
      if (signal.aborted) throw new LeaseLost();
      await fail(deps, run, flow, stepId, attempt, { attemptId, startedAt: t0, input: journal.input }, err, context, stepLog);
      return;
    }
    const finish = (status: AttemptStatus, extra: { output?: unknown; error?: unknown } = {}) => ({ attemptId, startedAt: t0, finishedAt: deps.now(), status, input: journal.input, ...extra });

    switch (outcome.kind) {
      case 'done': {
        context.steps[stepId] = outcome.output;
        const next = nextStepId(flow, step, outcome.next);
        const done = finish(outcome.status ?? 'succeeded', { output: outcome.output });
        stepLog.debug({ status: outcome.status ?? 'succeeded', durationMs: deps.now() - t0 }, 'step done');
        if (next !== null && !flow.steps.has(next)) {
          // A goto to a step the flow lacks: the loop reports it on the next turn.
          if (!(await store.finishAttempt(run.id, workerId, done, { status: 'running', currentStep: next, stepAttempt: 0, context }))) throw new LeaseLost();
          stepId = next;
        } else if (next === null) {
          if (!(await store.finishAttempt(run.id, workerId, done, { status: 'succeeded', currentStep: null, stepAttempt: 0, context, appliedVersion: applied(run, laneKey) }))) throw new LeaseLost();
          log.info('run succeeded');
          stepId = null;
        } else {
          stepId = await advance(done, next);
        }
        stepAttempt = 0;
        break;
      }
      case 'end': {
        context.steps[stepId] = outcome.output;
        if (!(await store.finishAttempt(run.id, workerId, finish('succeeded', { output: outcome.output }), { status: 'succeeded', currentStep: null, stepAttempt: 0, context, appliedVersion: applied(run, laneKey) }))) throw new LeaseLost();
        log.info('run succeeded');
        return;
      }
      case 'wait': {
        const runAt = outcome.until ?? deps.now() + FAR_WAKE_MS;
        const waitingFor = `${outcome.forSignal ? 'signal' : 'timer'}:${stepId}`;
        if (!(await store.finishAttempt(run.id, workerId, finish('waiting', { output: outcome.output }), { status: 'waiting', currentStep: stepId, stepAttempt: attempt, context, runAt, waitingFor }))) throw new LeaseLost();
        stepLog.info({ waitingFor, until: outcome.until === null ? null : new Date(runAt).toISOString() }, 'run waiting');
        return;
      }
      case 'block': {
        if (outcome.output !== undefined) context.steps[stepId] = outcome.output;
        await block(deps, run, stepId, attempt, finish('failed', { error: serializeError(outcome.error), output: outcome.output }), outcome.error, context, stepLog, outcome.resumeAt, outcome.recheck);
        return;
      }
    }
  }
}

function eventView(e: EventRecord): StepEnv['data']['event'] {
  return { id: e.id, type: e.type, source: e.source, entityKey: e.entityKey, dedupeKey: e.dedupeKey, version: e.version, payload: e.payload };
}


/** A fresh run of an event older than the version its lane has applied already (`applied`, read with the event). */
function isStale(run: RunRecord, applied: string | undefined, context: RunContextData): boolean {
  if (run.eventVersion === null || run.replayOf !== null) return false;
  if (Object.keys(context.steps).length > 0) return false;
  return applied !== undefined && run.eventVersion < applied;
}

/** The lane version a successful run records (with its last write), when its event has one. */
function applied(run: RunRecord, laneKey: string): RunTransition['appliedVersion'] {
  return run.eventVersion === null ? undefined : { key: laneKey, version: run.eventVersion };
}

type PendingFinish = { attemptId: number; startedAt: number; input?: unknown } | undefined;

async function fail(deps: RunExecutorDeps, run: RunRecord, flow: CatalogFlow, stepId: string, attempt: number, pending: PendingFinish, err: unknown, context: RunContextData, log: Logger): Promise<void> {
  const serialized = serializeError(err);
  const step = flow.steps.get(stepId)?.step;
  const policy = mergeRetryPolicy(DEFAULT_RETRY, step?.retry);
  const decision = decideAfterFailure(serialized.kind, attempt, policy, serialized.retryAfterMs);
  const finish = pending ? { ...pending, finishedAt: deps.now(), status: 'failed' as const, error: serialized } : undefined;
  const lastError = { ...serialized, step: stepId, attempt };
  switch (decision.action) {
    case 'retry':
    case 'reconcile': {
      // 'reconcile' reaches here only from steps without a probe of their own (an ambiguous notify):
      // their attempt is retried with backoff like a transient failure.
      const delayMs = decision.action === 'retry' ? decision.delayMs : mergeRetryPolicy(DEFAULT_RETRY, step?.retry).initialDelayMs;
      if (decision.action === 'reconcile' && attempt >= policy.maxAttempts) return dead(deps, run, stepId, attempt, finish, lastError, context, log, 'exhausted');
      log.warn({ err: { code: serialized.code, message: serialized.message }, delayMs }, 'step failed; retry scheduled');
      if (!(await deps.store.finishAttempt(run.id, deps.workerId, finish, { status: 'queued', currentStep: stepId, stepAttempt: attempt, context, runAt: deps.now() + delayMs, lastError }))) throw new LeaseLost();
      return;
    }
    case 'block':
      return block(deps, run, stepId, attempt, finish, err as OrderflowError, context, log);
    case 'dead':
      return dead(deps, run, stepId, attempt, finish, lastError, context, log, decision.reason);
  }
}

/**
 * `resumeAt`: the step a retry starts from (a validate step's recheckFrom); default the blocked step.
 * `recheck`: the run retries itself every `everyMs` while it has been blocked by the same cause for less
 * than `forMs` (the series starts at the first block; `lastError.recheck` shows it). It stays `blocked`
 * meanwhile, so it is listed with the runs a person should look at, and the alert is sent once.
 */
async function block(deps: RunExecutorDeps, run: RunRecord, stepId: string, attempt: number, finish: Parameters<Store['finishAttempt']>[2], err: OrderflowError, context: RunContextData, log: Logger, resumeAt?: string, recheck?: { everyMs: number; forMs: number }): Promise<void> {
  const serialized = serializeError(err);
  const now = deps.now();
  const previous = recheckSeries(run.lastError, stepId, serialized.code);
  const since = previous?.since ?? now;
  const next = recheck && now + recheck.everyMs <= since + recheck.forMs ? now + recheck.everyMs : undefined;
  const series = recheck ? { recheck: next !== undefined ? { since, next, everyMs: recheck.everyMs } : { since, gaveUpAt: now } } : {};
  const lastError = { ...serialized, step: stepId, attempt, ...series };
  // The alert is stored with the block itself (not after it): a crash in between cannot lose it. A run
  // still blocked after a scheduled re-check raises none: its alert is open already.
  const payload = alertPayload(run, stepId, lastError);
  const event = previous ? undefined : deps.engineEvent('alert.run_blocked', `run:${run.id}`, payload, `alert:run:${run.id}:blocked:${stepId}:${attempt}`);
  const transition = { status: 'blocked' as const, currentStep: resumeAt ?? stepId, stepAttempt: resumeAt ? 0 : attempt, context, lastError, runAt: next ?? NEVER, waitingFor: next !== undefined ? `recheck:${stepId}` : null, event };
  if (!(await deps.store.finishAttempt(run.id, deps.workerId, finish, transition))) throw new LeaseLost();
  const nextRecheck = next === undefined ? null : new Date(next).toISOString();
  if (previous) {
    log.info({ err: { code: serialized.code }, nextRecheck }, 'still blocked after a scheduled re-check');
    return;
  }
  log.warn({ err: { code: serialized.code, message: serialized.message }, nextRecheck }, 'run blocked: a person must act');
  deps.announce('alert.run_blocked', payload);
}

/** A blocked run's run_at when nothing will retry it by itself (a person must): far beyond any timer. */
const NEVER = 253_402_300_799_000; // 9999-12-31T23:59:59Z

/** The re-check series the run is in: its last block was by this step, for this cause, and re-checks. */
function recheckSeries(lastError: unknown, stepId: string, code: string): { since: number } | undefined {
  if (typeof lastError !== 'object' || lastError === null) return undefined;
  const e = lastError as { step?: unknown; code?: unknown; recheck?: { since?: unknown; next?: unknown } };
  if (e.step !== stepId || e.code !== code || typeof e.recheck?.since !== 'number' || e.recheck.next === undefined) return undefined;
  return { since: e.recheck.since };
}

async function dead(deps: RunExecutorDeps, run: RunRecord, stepId: string, attempt: number, finish: Parameters<Store['finishAttempt']>[2], lastError: Record<string, unknown>, context: RunContextData, log: Logger, reason: 'exhausted' | 'bug'): Promise<void> {
  const payload = { ...alertPayload(run, stepId, lastError), reason };
  const event = deps.engineEvent('alert.run_dead', `run:${run.id}`, payload, `alert:run:${run.id}:dead:${stepId}:${attempt}`);
  if (!(await deps.store.finishAttempt(run.id, deps.workerId, finish, { status: 'dead', currentStep: stepId, stepAttempt: attempt, context, lastError: { ...lastError, reason }, event }))) throw new LeaseLost();
  log.error({ err: lastError, reason }, 'run dead');
  deps.announce('alert.run_dead', payload);
}

function alertPayload(run: RunRecord, stepId: string, error: Record<string, unknown>): Record<string, unknown> {
  return { runId: run.id, flowId: run.flowId, entityKey: run.entityKey, stepId, error: { code: error.code, kind: error.kind, message: error.message } };
}
