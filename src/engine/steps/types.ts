import type { Logger } from '../../core/log.ts';
import type { OrderflowError } from '../../core/errors.ts';
import type { FlowStep, RunContext } from '../../flows/types.ts';
import type { EventRecord, NewXref, RunRecord, Store } from '../../store/port.ts';
import type { CatalogFlow } from '../catalog.ts';
import type { ConnectionRegistry } from '../connections.ts';
import type { Notifier } from '../ports.ts';

/** Everything a step executor may use. */
export interface StepEnv<S extends FlowStep = FlowStep> {
  run: RunRecord;
  event: EventRecord;
  flow: CatalogFlow;
  step: S;
  attempt: number;
  /** What expressions see. */
  data: RunContext & { vars: Record<string, unknown> };
  /** Run variables: survive across steps and restarts (stored with the run). Executors may set keys. */
  vars: Record<string, unknown>;
  store: Store;
  registry: ConnectionRegistry;
  notifier: Notifier | undefined;
  log: Logger;
  now(): number;
  /** Stores an engine event (approval requested, reminder, alert) for flows and notifications to consume. */
  emit(type: string, payload: Record<string, unknown>, dedupeKey: string): Promise<void>;
  /** True when this step's previous attempt may have written before the process died: probe first. */
  reconcileFirst: boolean;
  signal: AbortSignal;
  /**
   * Filled by executors: what goes into the journal as the attempt's input; with `deferWrites` set (the
   * step runs ahead, think-ahead.ts), the cross-references it puts, stored with the run's next write.
   */
  journal: StepJournal;
}

export interface StepJournal {
  input?: unknown;
  deferWrites?: boolean;
  xrefs?: NewXref[];
}

export type StepOutcome =
  /** The step finished: its output is kept, the run moves to `next` (a step id, `end`, or the following step). */
  | { kind: 'done'; output: unknown; next?: string | undefined; status?: 'succeeded' | 'reconciled' | 'skipped' }
  /** The step waits: for a signal, a time, or both (`until` null: no timer). Re-executed when woken. */
  | { kind: 'wait'; until: number | null; forSignal: boolean; output?: unknown }
  /** The run ends here as succeeded (a validate rule with `skip-rest`). */
  | { kind: 'end'; output: unknown }
  /** The run is blocked: a person must act (a validate rule with `block`, an approval that timed out to `block`). */
  | { kind: 'block'; error: OrderflowError; output?: unknown; resumeAt?: string | undefined; recheck?: { everyMs: number; forMs: number } | undefined };

export type StepExecutor<S extends FlowStep = FlowStep> = (env: StepEnv<S>) => Promise<StepOutcome>;
