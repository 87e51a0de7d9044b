/**
 * Engine tests on a fake clock: time moves only when the test says so, so backoff delays, waits,
 * reminders and timeouts are asserted exactly and without sleeping. Workers poll often (real time) and
 * claim with the fake clock, so a run becomes due the moment the clock passes its run_at.
 */
import { silentLogger } from '../../src/core/log.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { FlowDefinition } from '../../src/flows/types.ts';
import type { RunRecord, RunStatus } from '../../src/store/port.ts';
import { openStore, type SqlStore } from '../../src/store/index.ts';
import { loaded, newRecorder, testConnector, waitFor, type Recorder } from '../helpers/engine.ts';
import { freshStoreUrl, type Backend, dropSchema } from '../helpers/stores.ts';

export class FakeClock {
  constructor(public t = Date.parse('2030-01-01T00:00:00Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Harness {
  store: SqlStore;
  engine: Engine;
  rec: Recorder;
  clock: FakeClock;
  /** Registers a flow (from a plain object); answers its version. */
  flow(def: unknown): Promise<string>;
  /** Ingests one event from connection `src`; answers its first run id. */
  start(type: string, payload?: unknown, opts?: { key?: string; entity?: string; version?: string }): Promise<number>;
  /** Waits until the run has `status`, and answers it. */
  until(runId: number, status: RunStatus): Promise<RunRecord>;
  /** Stored events of a type, oldest first (alerts, approvals). */
  events(type: string): Promise<Array<{ entityKey: string; payload: Record<string, unknown> }>>;
  close(): Promise<void>;
}

let seq = 0;

export async function harness(backend: Backend, opts: { workers?: number; concurrency?: number } = {}): Promise<Harness> {
  const url = await freshStoreUrl(backend);
  const store = await openStore(url);
  const clock = new FakeClock();
  const rec = newRecorder();
  const engine = new Engine({ store, log: silentLogger, clock });
  engine.addConnector(testConnector(rec));
  engine.registry.addConnection({ name: 'sys', connector: 'test', settings: {} });
  engine.startWorkers(opts.workers ?? 1, { pollMs: 20, concurrency: opts.concurrency ?? 16, leaseMs: 60_000 });
  return {
    store,
    engine,
    rec,
    clock,
    async flow(def) {
      const l = loaded(def as FlowDefinition);
      await engine.addFlow(l);
      return l.hash;
    },
    async start(type, payload = {}, o = {}) {
      const key = o.key ?? `ev-${++seq}`;
      const res = await engine.ingress.ingest('src', { type, dedupeKey: key, entityKey: o.entity ?? `entity:${key}`, version: o.version, payload });
      const id = res.runIds[0];
      if (id === undefined) throw new Error(`event ${type} started no run`);
      return id;
    },
    until(runId, status) {
      return waitFor(`run ${runId} to be ${status}`, async () => {
        const r = await store.getRun(runId);
        return r?.status === status ? r : undefined;
      });
    },
    async events(type) {
      const rows = await store.db.selectFrom('events').select(['entity_key', 'payload']).where('type', '=', type).orderBy('id').execute();
      return rows.map((r) => ({ entityKey: r.entity_key, payload: JSON.parse(r.payload) as Record<string, unknown> }));
    },
    async close() {
      await engine.stop();
      await store.close();
      await dropSchema(url);
    },
  };
}
