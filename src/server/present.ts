/**
 * Store records as the API shows them: times as ISO 8601, errors without stacks, secrets scrubbed.
 */
import type { PollerStatus } from '../engine/pollers.ts';
import type { AttemptRecord, EventRecord, RunRecord, XrefRecord } from '../store/port.ts';
import { scrubSecrets } from './secrets.ts';

function iso(ms: number): string;
function iso(ms: number | null): string | null;
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** A stored error as a client may see it: no stack (it is in the journal for operators, not the API). */
function publicError(err: unknown): unknown {
  if (err === null || typeof err !== 'object') return err ?? null;
  const { stack: _stack, ...rest } = err as Record<string, unknown>;
  return scrubSecrets(rest);
}

export function presentRun(r: RunRecord) {
  return {
    id: r.id,
    flowId: r.flowId,
    flowVersion: r.flowVersion,
    eventId: r.eventId,
    entityKey: r.entityKey,
    laneSeq: r.laneSeq,
    eventVersion: r.eventVersion,
    status: r.status,
    currentStep: r.currentStep,
    stepAttempt: r.stepAttempt,
    context: scrubSecrets(r.context),
    runAt: iso(r.runAt),
    lockedBy: r.lockedBy,
    lockedUntil: iso(r.lockedUntil),
    lastError: publicError(r.lastError),
    waitingFor: r.waitingFor,
    replayOf: r.replayOf,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    finishedAt: iso(r.finishedAt),
  };
}

export function presentAttempt(a: AttemptRecord) {
  return {
    id: a.id,
    stepId: a.stepId,
    attempt: a.attempt,
    status: a.status,
    input: scrubSecrets(a.input ?? null),
    output: scrubSecrets(a.output ?? null),
    error: publicError(a.error),
    startedAt: iso(a.startedAt),
    finishedAt: iso(a.finishedAt),
    durationMs: a.durationMs,
  };
}

export function presentEvent(e: EventRecord) {
  return { ...e, payload: scrubSecrets(e.payload), occurredAt: iso(e.occurredAt), receivedAt: iso(e.receivedAt) };
}

export function presentXref(x: XrefRecord) {
  return { ...x, data: scrubSecrets(x.data), createdAt: iso(x.createdAt) };
}

export function presentPoller(p: PollerStatus) {
  return { ...p, lastPollAt: iso(p.lastPollAt), lastSuccessAt: iso(p.lastSuccessAt) };
}
