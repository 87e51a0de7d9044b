/**
 * Schedule triggers: a flow with `trigger.schedule.every` starts once per slot of that length. The slot
 * number is in the event's dedupe key, so however many processes tick, each slot starts one run; a lease
 * keeps the ticking itself to one process.
 */
import type { Logger } from '../core/log.ts';
import { parseDuration } from '../flows/duration.ts';
import type { Store } from '../store/port.ts';
import { ENGINE_SOURCE, type FlowCatalog } from './catalog.ts';
import type { Ingress } from './ingress.ts';

export class Scheduler {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly catalog: FlowCatalog,
    private readonly ingress: Ingress,
    private readonly holder: string,
    private readonly log: Logger,
    private readonly tickMs = 1000,
  ) {}

  start(): void {
    const tick = () => {
      this.tick(Date.now()).catch((err: unknown) => this.log.warn({ err: { message: String(err) } }, 'schedule tick failed'));
      this.timer = setTimeout(tick, this.tickMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** Starts the due slot of every scheduled flow. Returns the runs created. */
  async tick(now: number): Promise<number> {
    let created = 0;
    for (const c of this.catalog.list()) {
      const every = c.flow.trigger?.schedule?.every;
      if (every === undefined) continue;
      const ms = parseDuration(every);
      if (ms <= 0) continue;
      if (!(await this.store.tryLease(`schedule:${c.flow.id}`, this.holder, Math.max(ms, 5000)))) continue;
      const slot = Math.floor(now / ms);
      const res = await this.ingress.startFlow(
        c.flow.id,
        { type: 'schedule.tick', dedupeKey: `schedule:${c.flow.id}:${slot}`, entityKey: `schedule:${c.flow.id}`, version: String(slot).padStart(16, '0'), payload: { slot, at: new Date(slot * ms).toISOString() } },
        ENGINE_SOURCE,
      );
      if (res.created) created += res.runIds.length;
    }
    return created;
  }
}
