/**
 * The action step: calls one connector action. The at-most-once promise lives here: an ambiguous write
 * (the kit's timeout/reset on a write, or a crash while the write was in flight) is never simply sent
 * again. The action's `reconcile` probe looks the effect up first and adopts it when it exists.
 */
import { lazyChild } from '../../core/log.ts';
import { AmbiguousWriteError, TransientError, UserError } from '../../core/errors.ts';
import { evaluateMapping } from '../../flows/mapping.ts';
import type { ActionStep } from '../../flows/types.ts';
import type { ActionContext, ActionDefinition } from '../../connectors/kit/types.ts';
import type { StepEnv, StepOutcome } from './types.ts';

export async function executeAction(env: StepEnv<ActionStep>): Promise<StepOutcome> {
  const { step } = env;
  const action = env.registry.action(step.connection, step.action);
  const input = step.input ? await evaluateMapping(step.input, env.data) : {};
  env.journal.input = input;
  const pendingKey = `reconcile:${step.id}`;
  const ctx: ActionContext<unknown> = {
    connection: env.registry.connection(step.connection),
    client: env.registry.client(step.connection),
    log: lazyChild(env.log, { connection: step.connection, action: step.action }),
    signal: env.signal,
    runId: String(env.run.id),
    stepId: step.id,
    attempt: env.attempt,
    idempotencyKey: `${env.run.id}:${step.id}`,
  };

  if ((env.reconcileFirst || env.vars[pendingKey] === true) && action.write) {
    // Until a probe has answered, every later attempt must probe first: if this one fails (the target is
    // down), the retry no longer looks interrupted, and only this mark keeps it from writing blindly.
    env.vars[pendingKey] = true;
    const adopted = await reconcile(action, ctx, input, 'the previous attempt was interrupted');
    delete env.vars[pendingKey];
    if (adopted !== undefined) return { kind: 'done', output: adopted, status: 'reconciled' };
  }

  try {
    const output = await withTimeout(action.run(ctx, input), step.timeoutMs, action.write, `${step.connection}.${step.action}`);
    return { kind: 'done', output: output ?? null };
  } catch (err) {
    if (!(err instanceof AmbiguousWriteError)) throw err;
    env.log.warn({ err: { code: err.code, message: err.message } }, 'ambiguous write: reconciling before any retry');
    // Until a probe has answered, every later attempt must probe before writing (the probe itself may fail).
    env.vars[pendingKey] = true;
    const adopted = await reconcile(action, ctx, input, err.message);
    delete env.vars[pendingKey];
    if (adopted !== undefined) return { kind: 'done', output: adopted, status: 'reconciled' };
    // The probe says the effect is absent: writing again is safe.
    throw new TransientError('OF_WRITE_ABSENT_RETRY', `${err.message}; the reconcile probe found no effect, so the write will be retried`, { details: err.details });
  }
}

/** Runs the probe; returns the adopted output, or undefined when the effect does not exist. */
async function reconcile(action: ActionDefinition<unknown>, ctx: ActionContext<unknown>, input: unknown, why: string): Promise<unknown> {
  if (!action.reconcile) {
    throw new UserError('OF_WRITE_OUTCOME_UNKNOWN', `the write's outcome is unknown (${why}) and the action has no reconcile probe; check the target system, then retry or cancel the run`, {});
  }
  const found = await action.reconcile(ctx, input);
  if (found !== undefined) ctx.log.info({ adopted: true }, 'reconcile found the effect: adopted, not written again');
  return found;
}

async function withTimeout<T>(p: Promise<T>, timeoutMs: number | undefined, write: boolean, what: string): Promise<T> {
  if (!timeoutMs) return p;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const msg = `${what} did not finish within the step's timeoutMs (${timeoutMs} ms)`;
      reject(write ? new AmbiguousWriteError('OF_STEP_WRITE_TIMEOUT', `${msg}; the write may have been applied`) : new TransientError('OF_STEP_TIMEOUT', msg));
    }, timeoutMs);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
