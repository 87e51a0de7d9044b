/**
 * The engine facade: flows, connections, ingress, workers, pollers and the scheduler over one store.
 * The CLI builds one per process; tests build several against one database to play a cluster.
 */
import { UserError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { ConnectorDefinition, EmittedEvent, WebhookRequest, WebhookTrigger } from '../connectors/kit/types.ts';
import type { LoadedFlow } from '../flows/types.ts';
import type { IngestResult, RunTransition, Store } from '../store/port.ts';
import { ENGINE_SOURCE, FlowCatalog } from './catalog.ts';
import { ConnectionRegistry } from './connections.ts';
import { Ingress, toNewEvent } from './ingress.ts';
import { PollerManager, type PollerSpec } from './pollers.ts';
import { systemClock, type Clock, type Notifier } from './ports.ts';
import { Scheduler } from './scheduler.ts';
import { Worker, type WorkerOptions } from './worker.ts';

export interface EngineOptions {
  store: Store;
  log: Logger;
  notifier?: Notifier | undefined;
  clock?: Clock | undefined;
}

export type EngineEventListener = (type: string, payload: Record<string, unknown>) => void;

export class Engine {
  readonly store: Store;
  readonly catalog: FlowCatalog;
  readonly registry: ConnectionRegistry;
  readonly ingress: Ingress;
  readonly pollers: PollerManager;
  readonly log: Logger;
  notifier: Notifier | undefined;
  private readonly clock: Clock;
  private readonly workers: Worker[] = [];
  private scheduler: Scheduler | undefined;
  private readonly listeners = new Set<EngineEventListener>();

  constructor(opts: EngineOptions) {
    this.store = opts.store;
    this.log = opts.log;
    this.notifier = opts.notifier;
    this.clock = opts.clock ?? systemClock;
    this.catalog = new FlowCatalog(this.store);
    this.registry = new ConnectionRegistry(this.log);
    this.ingress = new Ingress(this.store, this.catalog);
    this.pollers = new PollerManager(this.store, this.registry, this.ingress, this.log);
  }

  addConnector<C>(def: ConnectorDefinition<C>): this {
    this.registry.addConnector(def);
    return this;
  }

  async addFlow(loaded: Pick<LoadedFlow, 'flow' | 'source' | 'hash'>): Promise<void> {
    await this.catalog.register(loaded);
  }

  /** In-process listeners of engine events (alerts, approvals); they are stored as events too. */
  onEngineEvent(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stores an engine event (source `orderflow`): flows may trigger on it, notifications consume it. */
  async emit(type: string, entityKey: string, payload: Record<string, unknown>, dedupeKey: string): Promise<void> {
    await this.ingress.ingest(ENGINE_SOURCE, { type, entityKey, dedupeKey, payload });
    this.announce(type, payload);
  }

  /** An engine event ready to be stored inside another write (see RunTransition.event). */
  engineEvent(type: string, entityKey: string, payload: Record<string, unknown>, dedupeKey: string): NonNullable<RunTransition['event']> {
    return { event: toNewEvent(ENGINE_SOURCE, { type, entityKey, dedupeKey, payload }), targets: (ev) => this.catalog.targetsFor(ev) };
  }

  /** Tells the in-process listeners about an engine event already stored. */
  announce(type: string, payload: Record<string, unknown>): void {
    for (const l of this.listeners) {
      try {
        l(type, payload);
      } catch (err) {
        this.log.error({ err: { message: String(err) }, type }, 'engine event listener failed');
      }
    }
  }

  /** Verifies and stores one webhook delivery. Resolves only once the events are durably stored. */
  async receiveWebhook(connection: string, req: WebhookRequest, triggerName?: string): Promise<IngestResult[]> {
    const triggers = this.registry.triggers(connection);
    const trigger = triggerName ? triggers[triggerName] : Object.values(triggers).find((t) => t.kind === 'webhook');
    if (!trigger || trigger.kind !== 'webhook') {
      throw new UserError('OF_WEBHOOK_NO_TRIGGER', `connection '${connection}' has no webhook trigger${triggerName ? ` named '${triggerName}'` : ''}; use a connector that receives webhooks`, { connection });
    }
    const ctx = { connection: this.registry.connection(connection), client: this.registry.client(connection), log: this.log.child({ connection, webhook: true }), options: {} };
    const events: EmittedEvent[] = await (trigger as WebhookTrigger<unknown>).receive(ctx, req);
    return this.ingress.ingestMany(connection, events);
  }

  startWorkers(count = 1, opts: WorkerOptions = {}): Worker[] {
    const started: Worker[] = [];
    for (let i = 0; i < count; i++) {
      const w = new Worker(
        {
          store: this.store,
          catalog: this.catalog,
          registry: this.registry,
          notifier: this.notifier,
          log: this.log,
          now: () => this.clock.now(),
          emit: (type, entityKey, payload, key) => this.emit(type, entityKey, payload, key),
          engineEvent: (type, entityKey, payload, key) => this.engineEvent(type, entityKey, payload, key),
          announce: (type, payload) => this.announce(type, payload),
        },
        opts,
      );
      w.start();
      this.workers.push(w);
      started.push(w);
    }
    return started;
  }

  startPollers(specs: PollerSpec[]): void {
    this.pollers.start(specs);
  }

  startScheduler(): void {
    this.scheduler = new Scheduler(this.store, this.catalog, this.ingress, this.pollers.holder, this.log);
    this.scheduler.start();
  }

  /** Polling triggers that some loaded flow listens to (the default set of pollers). */
  defaultPollers(): PollerSpec[] {
    const specs: PollerSpec[] = [];
    const wanted = new Set(this.catalog.list().map((c) => c.flow.trigger?.connection).filter((c): c is string => !!c && c !== ENGINE_SOURCE));
    for (const conn of this.registry.listConnections()) {
      if (!wanted.has(conn.name)) continue;
      for (const [name, t] of Object.entries(this.registry.triggers(conn.name))) if (t.kind === 'polling') specs.push({ connection: conn.name, trigger: name });
    }
    return specs;
  }

  async stop(): Promise<void> {
    this.scheduler?.stop();
    await this.pollers.stop();
    await Promise.all(this.workers.map((w) => w.stop()));
    this.workers.length = 0;
    await this.registry.close();
  }
}
