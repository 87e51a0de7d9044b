/**
 * The one schema both backends share. Timestamps are epoch milliseconds (bigint), JSON is text: the
 * same column types mean the same thing on SQLite and PostgreSQL.
 */
import type { Generated } from 'kysely';

export type RunStatus = 'queued' | 'running' | 'waiting' | 'blocked' | 'dead' | 'succeeded' | 'cancelled' | 'skipped';
export type AttemptStatus = 'started' | 'succeeded' | 'failed' | 'skipped' | 'waiting' | 'reconciled' | 'interrupted';

export interface EventsTable {
  id: Generated<number>;
  dedupe_key: string;
  type: string;
  source: string;
  entity_key: string;
  version: string | null;
  payload: string;
  occurred_at: number | null;
  received_at: number;
}

export interface RunsTable {
  id: Generated<number>;
  flow_id: string;
  flow_version: string;
  event_id: number;
  /** The lane. */
  entity_key: string;
  /** Order inside the lane: the event's sequence number. */
  lane_seq: number;
  event_version: string | null;
  status: RunStatus;
  /** The step to execute next (or the one executing, or the one that failed); null once finished. */
  current_step: string | null;
  /** Attempt number of `current_step` (1-based) last started. */
  step_attempt: number;
  /** JSON: outputs of completed steps and run variables. */
  context: string;
  run_at: number;
  locked_by: string | null;
  locked_until: number | null;
  /** JSON SerializedError of the last failure, with the step it happened in. */
  last_error: string | null;
  /** Why the run is waiting (`signal:<step>` or `timer:<step>`). */
  waiting_for: string | null;
  replay_of: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface StepAttemptsTable {
  id: Generated<number>;
  run_id: number;
  step_id: string;
  attempt: number;
  status: AttemptStatus;
  input: string | null;
  output: string | null;
  error: string | null;
  started_at: number;
  finished_at: number | null;
  duration_ms: number | null;
}

export interface FlowVersionsTable {
  flow_id: string;
  version: string;
  source: string;
  definition: string;
  created_at: number;
}

export interface CursorsTable {
  name: string;
  value: string | null;
  updated_at: number;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface SignalsTable {
  id: Generated<number>;
  run_id: number;
  step_id: string;
  payload: string;
  created_at: number;
  consumed_at: number | null;
}

export interface EntityVersionsTable {
  key: string;
  version: string;
  updated_at: number;
}

export interface XrefsTable {
  id: Generated<number>;
  /** What is cross-referenced: `order`, `customer`, … */
  entity: string;
  left_system: string;
  left_id: string;
  right_system: string;
  right_id: string;
  /** JSON: extra facts (e.g. DocNum next to DocEntry). */
  data: string;
  created_at: number;
}

export interface Tables {
  events: EventsTable;
  runs: RunsTable;
  step_attempts: StepAttemptsTable;
  flow_versions: FlowVersionsTable;
  cursors: CursorsTable;
  leases: LeasesTable;
  signals: SignalsTable;
  entity_versions: EntityVersionsTable;
  xrefs: XrefsTable;
}
