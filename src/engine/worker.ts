/**
 * A worker: claims ready runs with a lease and executes them, up to `concurrency` at once. It sleeps
 * until woken (a new run, a finished lane head, a NOTIFY from another process) or its poll interval
 * passes, which is also how expired leases of dead workers and due timers are picked up.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/log.ts';
import type { RunRecord } from '../store/port.ts';
import { executeRun, LeaseLost, type RunExecutorDeps } from './run-executor.ts';

export interface WorkerOptions {
  id?: string;
  /** Runs executed at once by this worker. */
  concurrency?: number;
  /** How long a claim holds a run; renewed every third of it while the run executes. */
  leaseMs?: number;
  /** The longest sleep between two claims when nothing wakes the worker. */
  pollMs?: number;
}

export class Worker {
  readonly id: string;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private running = false;
  private lastRecheckSweep = 0;
  private lastMaintenance = Date.now();
  private inFlight = new Set<Promise<void>>();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly log: Logger;
  executed = 0;

  constructor(
    private readonly deps: Omit<RunExecutorDeps, 'workerId'>,
    opts: WorkerOptions = {},
  ) {
    this.id = opts.id ?? `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.concurrency = opts.concurrency ?? 16;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 1_000;
    this.log = deps.log.child({ workerId: this.id });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.deps.store.onWake(() => this.kick());
    this.loop = this.run();
  }

  /** Stops claiming, then waits for the runs in flight to reach their next durable point. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.kick();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  kick(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.sweepRechecks();
      await this.maintain();
      const free = this.concurrency - this.inFlight.size;
      if (free > 0) {
        this.woken = false;
        let claimed: RunRecord[] = [];
        try {
          claimed = await this.deps.store.claimRuns(this.id, free, this.leaseMs, this.deps.now());
        } catch (err) {
          this.log.error({ err: errInfo(err) }, 'claim failed; will try again');
        }
        for (const run of claimed) this.track(run);
        // Something was claimed or something changed meanwhile: look again before sleeping.
        if (claimed.length > 0 || this.woken) continue;
      }
      // Full (a finishing run kicks us) or nothing ready (a wake-up or the poll interval ends the sleep).
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.pollMs);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  /** At most once per poll interval: blocked runs whose scheduled re-check is due go back to the queue. */
  private async sweepRechecks(): Promise<void> {
    // Throttled on the wall clock; due-ness on the engine's clock.
    if (Date.now() - this.lastRecheckSweep < this.pollMs) return;
    this.lastRecheckSweep = Date.now();
    try {
      const n = await this.deps.store.requeueDueRechecks(this.deps.now());
      if (n > 0) this.log.info({ runs: n }, 'blocked runs re-checked on schedule');
    } catch (err) {
      this.log.error({ err: errInfo(err) }, 're-check sweep failed; will try again');
    }
  }

  /** Every 10 s: the store's housekeeping (PostgreSQL: planner statistics of the queue table). */
  private async maintain(): Promise<void> {
    if (Date.now() - this.lastMaintenance < 10_000) return;
    this.lastMaintenance = Date.now();
    try {
      await this.deps.store.maintain();
    } catch (err) {
      this.log.warn({ err: errInfo(err) }, 'store maintenance failed; will try again');
    }
  }

  private track(run: RunRecord): void {
    const p = this.execute(run).finally(() => {
      this.inFlight.delete(p);
      this.kick();
    });
    this.inFlight.add(p);
  }

  private async execute(run: RunRecord): Promise<void> {
    const abort = new AbortController();
    const renew = setInterval(() => {
      this.deps.store.renewLease(run.id, this.id, this.leaseMs, this.deps.now()).then(
        (ok) => {
          if (!ok) abort.abort();
        },
        () => undefined,
      );
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    try {
      await executeRun({ ...this.deps, workerId: this.id }, run, abort.signal);
      this.executed++;
    } catch (err) {
      if (err instanceof LeaseLost) {
        this.log.warn({ runId: run.id }, 'lease lost (cancelled or taken over): run abandoned by this worker');
      } else {
        // A defect outside any step (the store failed mid-way): the lease expires and the run is resumed.
        this.log.error({ runId: run.id, err: errInfo(err) }, 'run execution failed outside a step; it resumes after its lease expires');
      }
    } finally {
      clearInterval(renew);
    }
  }
}

function errInfo(err: unknown): { message: string; stack?: string | undefined } {
  return err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) };
}
