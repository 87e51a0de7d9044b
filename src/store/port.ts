/**
 * The storage port: everything the engine, the server and the CLI ask of the database, and nothing more.
 * One implementation (./sql-store.ts) serves both SQLite and PostgreSQL.
 */
import type { RunStatus, AttemptStatus } from './schema.ts';

export type { RunStatus, AttemptStatus };

export interface NewEvent {
  dedupeKey: string;
  type: string;
  source: string;
  entityKey: string;
  version?: string | null | undefined;
  payload: unknown;
  occurredAt?: number | null | undefined;
}

export interface EventRecord extends Required<Omit<NewEvent, 'version' | 'occurredAt'>> {
  id: number;
  version: string | null;
  occurredAt: number | null;
  receivedAt: number;
}

export interface RunTarget {
  flowId: string;
  flowVersion: string;
  /** The step the run starts at. */
  firstStep: string;
}

export interface IngestResult {
  eventId: number;
  /** False when the dedupe key was already known: nothing new was created. */
  created: boolean;
  runIds: number[];
}

export interface RunRecord {
  id: number;
  flowId: string;
  flowVersion: string;
  eventId: number;
  entityKey: string;
  laneSeq: number;
  eventVersion: string | null;
  status: RunStatus;
  currentStep: string | null;
  stepAttempt: number;
  context: RunContextData;
  runAt: number;
  lockedBy: string | null;
  lockedUntil: number | null;
  lastError: unknown;
  waitingFor: string | null;
  replayOf: number | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** What a run remembers between steps: each completed step's output, and run variables. */
export interface RunContextData {
  steps: Record<string, unknown>;
  vars: Record<string, unknown>;
}

export interface AttemptRecord {
  id: number;
  runId: number;
  stepId: string;
  attempt: number;
  status: AttemptStatus;
  input: unknown;
  output: unknown;
  error: unknown;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
}

/** The change a worker makes to its run after a step, applied only while it still holds the lease. */
/** The runs an event starts, decided by its source and type (so they can be known before it is stored). */
export type RunTargets = (ev: Pick<EventRecord, 'source' | 'type'>) => RunTarget[];

export interface RunTransition {
  status: RunStatus;
  currentStep: string | null;
  stepAttempt: number;
  context?: RunContextData | undefined;
  runAt?: number | undefined;
  lastError?: unknown;
  waitingFor?: string | null | undefined;
  /**
   * On success: the entity version this run applied, raised (never lowered) in the same transaction, so
   * a later, older event of the lane can never find the run done and the version not yet recorded.
   */
  appliedVersion?: { key: string; version: string } | undefined;
  /** An event stored in the same transaction (the alert of a blocked or dead run: never one without the other). */
  event?: { event: NewEvent; targets: RunTargets } | undefined;
  /** Attempts of steps run ahead since the last write (think-ahead), journaled in the same transaction. */
  completed?: CompletedAttempt[] | undefined;
  /** Cross-references those steps put, stored (upserted) in the same transaction. */
  xrefs?: NewXref[] | undefined;
}

/**
 * An attempt of a step that changes nothing outside the run (map, branch, validate, a read, or any step
 * skipped by its `when`), executed between two writes and journaled, already finished, with the next write.
 */
export interface CompletedAttempt {
  stepId: string;
  attempt: number;
  status: 'succeeded' | 'skipped';
  input?: unknown;
  output: unknown;
  startedAt: number;
  finishedAt: number;
}

export interface AttemptFinish {
  attemptId: number;
  startedAt: number;
  status: AttemptStatus;
  /** The step's evaluated input, when it is only known after the attempt started. */
  input?: unknown;
  output?: unknown;
  error?: unknown;
  finishedAt: number;
}

export interface RunFilter {
  status?: RunStatus | undefined;
  flowId?: string | undefined;
  entityKey?: string | undefined;
  limit?: number | undefined;
  /** Runs with id below this (keyset paging, newest first). */
  beforeId?: number | undefined;
}

export interface XrefRecord {
  entity: string;
  leftSystem: string;
  leftId: string;
  rightSystem: string;
  rightId: string;
  data: Record<string, unknown>;
  createdAt: number;
}

/** A cross-reference to store: upserted by (entity, leftSystem, leftId, rightSystem). */
export type NewXref = Omit<XrefRecord, 'createdAt'>;

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';

  // flow versions
  saveFlowVersion(flowId: string, version: string, source: string, definition: unknown): Promise<void>;
  getFlowVersion(flowId: string, version: string): Promise<{ source: string; definition: unknown } | undefined>;

  // ingress: the event and its runs in one transaction; a duplicate dedupe key creates nothing
  ingest(event: NewEvent, targets: RunTargets): Promise<IngestResult>;
  /** A poll's events and its new cursor in one transaction. */
  ingestPoll(cursorName: string, cursor: string | null, events: NewEvent[], targets: RunTargets): Promise<IngestResult[]>;
  getEvent(id: number): Promise<EventRecord | undefined>;
  /** A run's event and the version applied to its lane (`versionKey`) so far, in one read. */
  getEventAndVersion(id: number, versionKey: string): Promise<{ event: EventRecord | undefined; applied: string | undefined }>;
  countEvents(): Promise<number>;

  // the queue
  claimRuns(workerId: string, limit: number, leaseMs: number, now?: number): Promise<RunRecord[]>;
  /** `now` must come from the same clock as the claim's, or a renewed lease may already look expired. */
  renewLease(runId: number, workerId: string, leaseMs: number, now?: number): Promise<boolean>;
  startAttempt(runId: number, workerId: string, stepId: string, attempt: number, input: unknown): Promise<number | undefined>;
  /** Finishes an attempt and moves the run, atomically; false when the lease was lost (nothing written). */
  finishAttempt(runId: number, workerId: string, finish: AttemptFinish | undefined, next: RunTransition): Promise<boolean>;
  /**
   * `finishAttempt` moving the run on to `next.currentStep`, and that step's first attempt started, in one
   * transaction (one commit between two steps instead of two), with `next.completed` and `next.xrefs`.
   * The new attempt's id; undefined when the lease was lost (nothing written).
   */
  finishAndStart(runId: number, workerId: string, finish: AttemptFinish | undefined, next: RunTransition & { currentStep: string }): Promise<number | undefined>;
  /** Marks attempts left `started` by a dead worker as `interrupted`; returns them. */
  interruptDanglingAttempts(runId: number, stepId: string): Promise<AttemptRecord[]>;
  /** Wakes all waiting/queued runs when something changed (PostgreSQL: LISTEN/NOTIFY across processes). */
  onWake(listener: () => void): () => void;

  // reading
  getRun(id: number): Promise<RunRecord | undefined>;
  listRuns(filter: RunFilter): Promise<RunRecord[]>;
  listAttempts(runId: number): Promise<AttemptRecord[]>;
  countRunsByStatus(): Promise<Record<string, number>>;

  // operations by a person
  retryRun(runId: number, now?: number, flowVersion?: string): Promise<RunRecord>;
  /** Housekeeping the workers call every few seconds (PostgreSQL: fresh planner statistics of the queue). */
  maintain(): Promise<void>;
  /** Blocked runs whose scheduled re-check is due → queued; how many. */
  requeueDueRechecks(now?: number): Promise<number>;
  cancelRun(runId: number, now?: number): Promise<RunRecord>;
  replayRun(runId: number, firstStep: string, flowVersion: string, now?: number): Promise<RunRecord>;
  signal(runId: number, stepId: string, payload: unknown, now?: number): Promise<void>;
  /** The newest signal sent to a run's step, if any. Not consumed: a step that crashed reads it again. */
  getSignal(runId: number, stepId: string): Promise<unknown | undefined>;

  // lanes
  getEntityVersion(key: string): Promise<string | undefined>;
  setEntityVersion(key: string, version: string): Promise<void>;

  // pollers and singletons
  getCursor(name: string): Promise<string | null>;
  setCursor(name: string, value: string | null): Promise<void>;
  tryLease(name: string, holder: string, ttlMs: number, now?: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;

  // cross-references
  putXref(x: NewXref): Promise<XrefRecord>;
  findXref(entity: string, system: string, id: string): Promise<XrefRecord[]>;

  close(): Promise<void>;
}
