/**
 * Pollers: one loop per enabled polling trigger. Exactly one process in the cluster polls each trigger:
 * the loop polls only while it holds the trigger's lease in the store (renewed each round, taken over
 * by another process when it expires). The cursor and the events of one poll are stored together.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/log.ts';
import type { PollingTrigger } from '../connectors/kit/types.ts';
import type { Store } from '../store/port.ts';
import type { ConnectionRegistry } from './connections.ts';
import type { Ingress } from './ingress.ts';

export interface PollerSpec {
  connection: string;
  trigger: string;
  intervalMs?: number | undefined;
  options?: Record<string, unknown> | undefined;
}

export interface PollerStatus {
  name: string;
  /** The interval this poller runs at: a poller whose lastSuccessAt is many intervals old has stalled. */
  intervalMs: number;
  active: boolean;
  lastPollAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  eventsEmitted: number;
}

export class PollerManager {
  readonly holder = `poller-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly statuses = new Map<string, PollerStatus>();
  /** Sleeping loops: stopping must wake them, or their promises never settle and stop() never returns. */
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly store: Store,
    private readonly registry: ConnectionRegistry,
    private readonly ingress: Ingress,
    private readonly log: Logger,
  ) {}

  start(specs: PollerSpec[]): void {
    for (const spec of specs) this.loops.push(this.loop(spec));
  }

  status(): PollerStatus[] {
    return [...this.statuses.values()];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const [t, wake] of this.sleepers) {
      clearTimeout(t);
      wake();
    }
    this.sleepers.clear();
    await Promise.allSettled(this.loops);
    for (const s of this.statuses.values()) if (s.active) await this.store.releaseLease(s.name, this.holder).catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.sleepers.delete(t);
        resolve();
      }, ms);
      this.sleepers.set(t, resolve);
    });
  }

  /** Polls once if this process holds the lease. Exposed for tests and benchmarks. */
  async pollOnce(spec: PollerSpec): Promise<number> {
    const name = `poll:${spec.connection}:${spec.trigger}`;
    const trig = this.registry.triggers(spec.connection)[spec.trigger];
    if (!trig || trig.kind !== 'polling') throw new Error(`connection '${spec.connection}' has no polling trigger '${spec.trigger}'`);
    const trigger = trig as PollingTrigger<unknown>;
    const interval = spec.intervalMs ?? trigger.defaultIntervalMs;
    const status = this.statuses.get(name) ?? { name, intervalMs: interval, active: false, lastPollAt: null, lastSuccessAt: null, lastError: null, eventsEmitted: 0 };
    this.statuses.set(name, status);
    status.active = await this.store.tryLease(name, this.holder, Math.max(3 * interval, 10_000));
    if (!status.active) return 0;
    status.lastPollAt = Date.now();
    const cursor = await this.store.getCursor(name);
    const ctx = {
      connection: this.registry.connection(spec.connection),
      client: this.registry.client(spec.connection),
      log: this.log.child({ poller: name }),
      options: spec.options ?? {},
    };
    const result = await trigger.poll(ctx, cursor);
    await this.ingress.ingestPoll(name, spec.connection, result.events, result.cursor);
    status.lastSuccessAt = Date.now();
    status.lastError = null;
    status.eventsEmitted += result.events.length;
    return result.events.length;
  }

  private async loop(spec: PollerSpec): Promise<void> {
    const trig = this.registry.triggers(spec.connection)[spec.trigger];
    const interval = spec.intervalMs ?? (trig?.kind === 'polling' ? trig.defaultIntervalMs : 2000);
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.pollOnce(spec);
        failures = 0;
      } catch (err) {
        failures++;
        const name = `poll:${spec.connection}:${spec.trigger}`;
        const s = this.statuses.get(name);
        if (s) s.lastError = err instanceof Error ? err.message : String(err);
        this.log.warn({ poller: name, failures, err: { message: err instanceof Error ? err.message : String(err) } }, 'poll failed; backing off');
      }
      if (this.stopped) break;
      await this.sleep(failures === 0 ? interval : Math.min(60_000, interval * 2 ** Math.min(failures, 5)));
    }
  }
}
