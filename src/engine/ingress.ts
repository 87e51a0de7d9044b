/**
 * Ingress: events from webhooks, pollers, schedules and the engine itself become stored events and runs,
 * in one transaction each, before anyone is told "received".
 */
import type { EmittedEvent } from '../connectors/kit/types.ts';
import type { IngestResult, NewEvent, Store } from '../store/port.ts';
import type { FlowCatalog } from './catalog.ts';

export function toNewEvent(source: string, e: EmittedEvent): NewEvent {
  const occurred = e.occurredAt ? Date.parse(e.occurredAt) : NaN;
  return { dedupeKey: e.dedupeKey, type: e.type, source, entityKey: e.entityKey, version: e.version ?? null, payload: e.payload, occurredAt: Number.isNaN(occurred) ? null : occurred };
}

export class Ingress {
  constructor(
    private readonly store: Store,
    private readonly catalog: FlowCatalog,
  ) {}

  /** Stores one event and the runs it starts; a known dedupe key creates nothing and answers the first result. */
  ingest(source: string, e: EmittedEvent): Promise<IngestResult> {
    return this.store.ingest(toNewEvent(source, e), (ev) => this.catalog.targetsFor(ev));
  }

  async ingestMany(source: string, events: EmittedEvent[]): Promise<IngestResult[]> {
    const out: IngestResult[] = [];
    for (const e of events) out.push(await this.ingest(source, e));
    return out;
  }

  /** A poll's events and its new cursor, in one transaction: a crash never loses or repeats a window. */
  ingestPoll(cursorName: string, source: string, events: EmittedEvent[], cursor: string | null): Promise<IngestResult[]> {
    return this.store.ingestPoll(cursorName, cursor, events.map((e) => toNewEvent(source, e)), (ev) => this.catalog.targetsFor(ev));
  }

  /** Starts one flow directly (schedules): the event exists only to be the run's input. */
  startFlow(flowId: string, e: EmittedEvent, source: string): Promise<IngestResult> {
    const target = this.catalog.targetOf(flowId);
    return this.store.ingest(toNewEvent(source, e), () => [target]);
  }
}
