/**
 * Steps that wait: `wait` (a timer) and `approval` (a person's decision, with reminders and an expiry).
 * A waiting run is parked in the store with the time it must be looked at again; a signal wakes it
 * earlier. When woken, the same step runs again and reads what it stored in the run variables.
 */
import { UserError } from '../../core/errors.ts';
import { parseDuration } from '../../flows/duration.ts';
import { evaluateMapping, renderTemplate } from '../../flows/mapping.ts';
import type { ApprovalStep, WaitStep } from '../../flows/types.ts';
import type { StepEnv, StepOutcome } from './types.ts';
import { resolveDuration, resolveText } from './templated.ts';

export async function executeWait(env: StepEnv<WaitStep>): Promise<StepOutcome> {
  const key = `wait:${env.step.id}`;
  let until = env.vars[key] as number | undefined;
  if (until === undefined) {
    if (env.step.until) {
      const at = await evaluateMapping(env.step.until, env.data);
      until = typeof at === 'string' || typeof at === 'number' ? new Date(at).getTime() : NaN;
      if (Number.isNaN(until)) throw new UserError('OF_WAIT_BAD_UNTIL', `step '${env.step.id}': 'until' gave ${JSON.stringify(at)}, not a date-time; return an ISO 8601 string`, { step: env.step.id });
    } else {
      until = env.now() + parseDuration(env.step.duration ?? 0);
    }
    env.vars[key] = until;
  }
  if (env.now() >= until) return { kind: 'done', output: { waitedUntil: new Date(until).toISOString() } };
  return { kind: 'wait', until, forSignal: false };
}

export interface ApprovalState {
  requestedAt: number;
  deadline: number | null;
  nextReminder: number | null;
  reminders: number;
}

export interface ApprovalDecision {
  decision: 'approve' | 'reject';
  by?: string;
  comment?: string;
}

export async function executeApproval(env: StepEnv<ApprovalStep>): Promise<StepOutcome> {
  const { step } = env;
  const key = `approval:${step.id}`;
  const now = env.now();
  let state = env.vars[key] as ApprovalState | undefined;
  // Role and durations may name settings ('{{ settings.approval.role }}').
  const role = await resolveText(step.role, env.data, 'role');
  const remind = step.remindEvery !== undefined ? await resolveDuration(step.remindEvery, env.data, 'remindEvery') : null;
  if (!state) {
    state = {
      requestedAt: now,
      deadline: step.timeout !== undefined ? now + (await resolveDuration(step.timeout, env.data, 'timeout')) : null,
      nextReminder: remind ? now + remind : null,
      reminders: 0,
    };
    env.vars[key] = state;
    const message = step.message ? await renderTemplate(step.message, env.data) : `run ${env.run.id} of flow '${env.flow.flow.id}' waits for approval`;
    await env.emit('approval.requested', approvalPayload(env, role, message, state), `approval:${env.run.id}:${step.id}:requested`);
  }

  const signal = (await env.store.getSignal(env.run.id, step.id)) as ApprovalDecision | undefined;
  if (signal) {
    const approved = signal.decision === 'approve';
    return { kind: 'done', output: { approved, decision: signal.decision, by: signal.by ?? null, comment: signal.comment ?? null, decidedAt: new Date(now).toISOString() } };
  }

  if (state.deadline !== null && now >= state.deadline) {
    const policy = step.onTimeout ?? 'reject';
    await env.emit('approval.expired', { ...approvalPayload(env, role, 'approval expired', state), policy }, `approval:${env.run.id}:${step.id}:expired`);
    if (policy === 'block') {
      return { kind: 'block', error: new UserError('OF_APPROVAL_EXPIRED', `nobody decided on step '${step.id}' (role ${role}) before its timeout; decide and retry the run`, { step: step.id }) };
    }
    return { kind: 'done', output: { approved: policy === 'approve', decision: policy, by: 'timeout', comment: null, decidedAt: new Date(now).toISOString() } };
  }

  if (state.nextReminder !== null && now >= state.nextReminder) {
    state.reminders += 1;
    state.nextReminder = now + (remind ?? 0);
    await env.emit('approval.reminder', { ...approvalPayload(env, role, 'approval still pending', state), reminder: state.reminders }, `approval:${env.run.id}:${step.id}:reminder:${state.reminders}`);
  }
  const wakeAt = [state.deadline, state.nextReminder].filter((t): t is number => t !== null);
  return { kind: 'wait', until: wakeAt.length > 0 ? Math.min(...wakeAt) : null, forSignal: true };
}

function approvalPayload(env: StepEnv<ApprovalStep>, role: string, message: string, state: ApprovalState): Record<string, unknown> {
  return {
    runId: env.run.id,
    flowId: env.flow.flow.id,
    stepId: env.step.id,
    role,
    entityKey: env.run.entityKey,
    message,
    requestedAt: new Date(state.requestedAt).toISOString(),
    deadline: state.deadline === null ? null : new Date(state.deadline).toISOString(),
    event: { type: env.event.type, payload: env.event.payload },
  };
}
