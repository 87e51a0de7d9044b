/** Row ⇄ record mapping: JSON text columns parsed, snake_case to camelCase. */
import type { Selectable } from 'kysely';
import type { EventsTable, RunsTable, StepAttemptsTable, XrefsTable } from './schema.ts';
import type { AttemptRecord, EventRecord, RunContextData, RunRecord, XrefRecord } from './port.ts';

export function parseJson<T = unknown>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/**
 * A run's context is written with every step, and it holds every earlier step's output (a whole shop
 * order, its customer, the ERP's answers): serializing it afresh each time made a 20-step run serialize
 * its first output 20 times. Each output object is serialized once and its text reused, by identity;
 * outputs are never changed after their step (later steps read them, never write them).
 */
const outputJson = new WeakMap<object, string>();

/** A step's output as JSON text, serialized once per output object (the attempt row and the context share it). */
export function outputToJson(output: unknown): string | null {
  if (output === undefined) return null;
  if (typeof output !== 'object' || output === null) return JSON.stringify(output);
  let json = outputJson.get(output);
  if (json === undefined) {
    json = JSON.stringify(output);
    outputJson.set(output, json);
  }
  return json;
}

export function contextToJson(context: RunContextData): string {
  const parts: string[] = [];
  for (const [stepId, output] of Object.entries(context.steps)) {
    if (output === undefined) continue;
    parts.push(`${JSON.stringify(stepId)}:${outputToJson(output)}`);
  }
  return `{"steps":{${parts.join(',')}},"vars":${JSON.stringify(context.vars ?? {})}}`;
}

export function eventFromRow(r: Selectable<EventsTable>): EventRecord {
  return {
    id: Number(r.id),
    dedupeKey: r.dedupe_key,
    type: r.type,
    source: r.source,
    entityKey: r.entity_key,
    version: r.version,
    payload: parseJson(r.payload),
    occurredAt: r.occurred_at === null ? null : Number(r.occurred_at),
    receivedAt: Number(r.received_at),
  };
}

export function runFromRow(r: Selectable<RunsTable>): RunRecord {
  return {
    id: Number(r.id),
    flowId: r.flow_id,
    flowVersion: r.flow_version,
    eventId: Number(r.event_id),
    entityKey: r.entity_key,
    laneSeq: Number(r.lane_seq),
    eventVersion: r.event_version,
    status: r.status,
    currentStep: r.current_step,
    stepAttempt: Number(r.step_attempt),
    context: parseJson<RunContextData>(r.context) ?? { steps: {}, vars: {} },
    runAt: Number(r.run_at),
    lockedBy: r.locked_by,
    lockedUntil: r.locked_until === null ? null : Number(r.locked_until),
    lastError: parseJson(r.last_error),
    waitingFor: r.waiting_for,
    replayOf: r.replay_of === null ? null : Number(r.replay_of),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  };
}

export function attemptFromRow(r: Selectable<StepAttemptsTable>): AttemptRecord {
  return {
    id: Number(r.id),
    runId: Number(r.run_id),
    stepId: r.step_id,
    attempt: Number(r.attempt),
    status: r.status,
    input: parseJson(r.input),
    output: parseJson(r.output),
    error: parseJson(r.error),
    startedAt: Number(r.started_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
  };
}

export function xrefFromRow(r: Selectable<XrefsTable>): XrefRecord {
  return {
    entity: r.entity,
    leftSystem: r.left_system,
    leftId: r.left_id,
    rightSystem: r.right_system,
    rightId: r.right_id,
    data: parseJson<Record<string, unknown>>(r.data) ?? {},
    createdAt: Number(r.created_at),
  };
}
