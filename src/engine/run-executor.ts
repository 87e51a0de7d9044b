/**
 * Executes one claimed run, step after step, until it finishes, waits, fails or loses its lease.
 *
 * The journal is written around every attempt: `started` before the step does anything, then the
 * outcome together with the run's move, in one transaction fenced by the lease. So after a crash:
 * completed steps are never executed again (their output is in the run's context), and a step found
 * `started` was interrupted: if it is a write, its reconcile probe runs before it may write again.
 */
import { serializeError, type OrderflowError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { DEFAULT_RETRY, decideAfterFailure, mergeRetryPolicy } from '../core/retry.ts';
import { evaluateCondition } from '../flows/conditions.ts';
import { END, type FlowStep } from '../flows/types.ts';
import type { AttemptStatus, EventRecord, RunContextData, RunRecord, RunTransition, Store } from '../store/port.ts';
import type { CatalogFlow, FlowCatalog } from './catalog.ts';
import type { ConnectionRegistry } from './connections.ts';
import type { Notifier } from './ports.ts';
import { executeStep, type StepEnv, type StepOutcome } from './steps/index.ts';

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
}

export class LeaseLost extends Error {}

export async function executeRun(deps: RunExecutorDeps, run: RunRecord, signal: AbortSignal): Promise<void> {
  const { store, workerId } = deps;
  const flow = await deps.catalog.get(run.flowId, run.flowVersion);
  const event = await store.getEvent(run.eventId);
  const log = deps.log.child({ runId: run.id, flowId: run.flowId, lane: run.entityKey });
  if (!event) throw new Error(`run ${run.id} refers to event ${run.eventId}, which is missing`);
  const context: RunContextData = run.context;
  const laneKey = `${run.flowId}|${run.entityKey}`;

  if (await isStale(store, run, laneKey, context)) {
    const applied = await store.getEntityVersion(laneKey);
    const reason = `event version ${run.eventVersion} is older than version ${applied} already applied to ${run.entityKey}`;
    log.info({ reason }, 'stale event skipped');
    await store.finishAttempt(run.id, workerId, undefined, { status: 'skipped', currentStep: null, stepAttempt: 0, lastError: { kind: 'stale', code: 'OF_EVENT_STALE', message: reason } });
    return;
  }

  let stepId: string | null = run.currentStep;
  let stepAttempt = run.stepAttempt;
  let firstStep = true;
  // The next step's attempt, already started in the same transaction that finished the previous step.
  let preStarted: number | undefined;
  while (stepId !== null) {
    if (signal.aborted) throw new LeaseLost();
    const entry = flow.steps.get(stepId);
    if (!entry) {
      await fail(deps, run, flow, stepId, stepAttempt + 1, undefined, new Error(`step '${stepId}' is not in flow '${flow.flow.id}' version ${flow.version}`), context, log);
      return;
    }
    // Only the first step of a claim can have been interrupted by a dead worker.
    const dangling = firstStep ? await store.interruptDanglingAttempts(run.id, stepId) : [];
    firstStep = false;
    const attempt = stepAttempt + 1;
    const step = entry.step;
    const stepLog = log.child({ stepId, attempt });
    const t0 = deps.now();
    const attemptId = preStarted ?? (await store.startAttempt(run.id, workerId, stepId, attempt, null));
    preStarted = undefined;
    if (attemptId === undefined) throw new LeaseLost();
    const data = { event: eventView(event), steps: context.steps, vars: context.vars, settings: flow.flow.settings ?? {}, run: { id: String(run.id), flowId: run.flowId, flowVersion: run.flowVersion } };

    let outcome: StepOutcome;
    const journal: { input?: unknown } = {};
    try {
      if (step.when !== undefined && !evaluateCondition(step.when, data)) {
        outcome = { kind: 'done', output: null, status: 'skipped' };
      } else {
        const env: StepEnv = {
          run, event, flow, step, attempt, data, vars: context.vars, store, registry: deps.registry, notifier: deps.notifier, log: stepLog,
          now: deps.now, signal, journal, reconcileFirst: dangling.length > 0,
          emit: (type, payload, key) => deps.emit(type, run.entityKey, payload, key),
        };
        outcome = await executeStep(env);
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
        if (next !== null && flow.steps.has(next)) {
          preStarted = await store.finishAndStart(run.id, workerId, done, { status: 'running', currentStep: next, stepAttempt: 0, context });
          if (preStarted === undefined) throw new LeaseLost();
        } else {
          const transition: RunTransition = next === null ? { status: 'succeeded', currentStep: null, stepAttempt: 0, context } : { status: 'running', currentStep: next, stepAttempt: 0, context };
          if (!(await store.finishAttempt(run.id, workerId, done, transition))) throw new LeaseLost();
        }
        stepLog.debug({ status: outcome.status ?? 'succeeded', durationMs: deps.now() - t0 }, 'step done');
        if (next === null) await succeeded(store, run, laneKey, log);
        stepId = next;
        stepAttempt = 0;
        break;
      }
      case 'end': {
        context.steps[stepId] = outcome.output;
        if (!(await store.finishAttempt(run.id, workerId, finish('succeeded', { output: outcome.output }), { status: 'succeeded', currentStep: null, stepAttempt: 0, context }))) throw new LeaseLost();
        await succeeded(store, run, laneKey, log);
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
        await block(deps, run, stepId, attempt, finish('failed', { error: serializeError(outcome.error), output: outcome.output }), outcome.error, context, stepLog, outcome.resumeAt);
        return;
      }
    }
  }
}

function eventView(e: EventRecord): StepEnv['data']['event'] {
  return { id: e.id, type: e.type, source: e.source, entityKey: e.entityKey, dedupeKey: e.dedupeKey, version: e.version, payload: e.payload };
}

function nextStepId(flow: CatalogFlow, step: FlowStep, goto: string | undefined): string | null {
  if (goto === END) return null;
  if (goto !== undefined) return goto;
  const i = flow.steps.get(step.id)?.index ?? -1;
  return flow.flow.steps[i + 1]?.id ?? null;
}

async function isStale(store: Store, run: RunRecord, laneKey: string, context: RunContextData): Promise<boolean> {
  if (run.eventVersion === null || run.replayOf !== null) return false;
  if (Object.keys(context.steps).length > 0) return false;
  const applied = await store.getEntityVersion(laneKey);
  return applied !== undefined && run.eventVersion < applied;
}

async function succeeded(store: Store, run: RunRecord, laneKey: string, log: Logger): Promise<void> {
  if (run.eventVersion !== null) await store.setEntityVersion(laneKey, run.eventVersion);
  log.info('run succeeded');
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

/** `resumeAt`: the step a retry starts from (a validate step's recheckFrom); default the blocked step. */
async function block(deps: RunExecutorDeps, run: RunRecord, stepId: string, attempt: number, finish: Parameters<Store['finishAttempt']>[2], err: OrderflowError, context: RunContextData, log: Logger, resumeAt?: string): Promise<void> {
  const serialized = serializeError(err);
  const lastError = { ...serialized, step: stepId, attempt };
  if (!(await deps.store.finishAttempt(run.id, deps.workerId, finish, { status: 'blocked', currentStep: resumeAt ?? stepId, stepAttempt: resumeAt ? 0 : attempt, context, lastError }))) throw new LeaseLost();
  log.warn({ err: { code: serialized.code, message: serialized.message } }, 'run blocked: a person must act');
  await deps.emit('alert.run_blocked', `run:${run.id}`, alertPayload(run, stepId, lastError), `alert:run:${run.id}:blocked:${stepId}:${attempt}`);
}

async function dead(deps: RunExecutorDeps, run: RunRecord, stepId: string, attempt: number, finish: Parameters<Store['finishAttempt']>[2], lastError: Record<string, unknown>, context: RunContextData, log: Logger, reason: 'exhausted' | 'bug'): Promise<void> {
  if (!(await deps.store.finishAttempt(run.id, deps.workerId, finish, { status: 'dead', currentStep: stepId, stepAttempt: attempt, context, lastError: { ...lastError, reason } }))) throw new LeaseLost();
  log.error({ err: lastError, reason }, 'run dead');
  await deps.emit('alert.run_dead', `run:${run.id}`, { ...alertPayload(run, stepId, lastError), reason }, `alert:run:${run.id}:dead:${stepId}:${attempt}`);
}

function alertPayload(run: RunRecord, stepId: string, error: Record<string, unknown>): Record<string, unknown> {
  return { runId: run.id, flowId: run.flowId, entityKey: run.entityKey, stepId, error: { code: error.code, kind: error.kind, message: error.message } };
}
