/**
 * Evaluates mappings in worker threads with a hard deadline. JSONata's own timeout is only checked
 * between evaluation steps, so one catastrophic regular expression (`$match(s, /^(a+)+$/)`) can hold
 * a thread for seconds. Here the worker running it is terminated at the deadline and replaced; the
 * caller gets `OF_MAP_TIMEOUT` and the process stays responsive.
 *
 * Cost: data is copied to the worker (structured clone) and back: use it for expressions from
 * sources you do not fully trust, or when a stuck mapping must never stall a worker process.
 */
import { Worker } from 'node:worker_threads';
import { BugError, UserError, deserializeError } from '../core/errors.ts';
import { DEFAULT_MAPPING_LIMITS } from './mapping.ts';
import type { SandboxReply, SandboxRequest } from './mapping-worker.ts';

export interface MappingSandboxOptions {
  /** Worker threads (default 1). */
  workers?: number;
  /** JSONata's cooperative timeout per evaluation (default 1000 ms). */
  timeoutMs?: number;
  /** When the worker is killed (default timeoutMs + 500 ms). */
  hardTimeoutMs?: number;
}

interface Job {
  req: SandboxRequest;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
}

const BOOT = new URL('./mapping-worker-boot.mjs', import.meta.url);

export class MappingSandbox {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly timeoutMs: number;
  private readonly hardTimeoutMs: number;
  private nextId = 1;
  private closed = false;

  constructor(opts: MappingSandboxOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_MAPPING_LIMITS.timeoutMs;
    this.hardTimeoutMs = opts.hardTimeoutMs ?? this.timeoutMs + 500;
    for (let i = 0; i < Math.max(1, opts.workers ?? 1); i++) this.slots.push(this.spawn());
  }

  /** Like `evaluateMapping`, but in a worker that is killed if it overruns `hardTimeoutMs`. */
  evaluate(expr: string, data: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new BugError('OF_BUG_SANDBOX_CLOSED', 'the mapping sandbox was closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { id: this.nextId++, expr, data, timeoutMs: this.timeoutMs }, resolve, reject });
      this.pump();
    });
  }

  /** Stops every worker; pending evaluations are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new BugError('OF_BUG_SANDBOX_CLOSED', 'the mapping sandbox was closed'));
    await Promise.all(
      this.slots.map(async (s) => {
        if (s.timer) clearTimeout(s.timer);
        s.job?.reject(new BugError('OF_BUG_SANDBOX_CLOSED', 'the mapping sandbox was closed'));
        s.job = undefined;
        await s.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const worker = new Worker(BOOT);
    worker.unref();
    let markReady: () => void = () => undefined;
    const slot: Slot = { worker, ready: new Promise<void>((r) => (markReady = r)), job: undefined, timer: undefined };
    worker.on('message', (msg: SandboxReply | 'ready') => {
      if (msg === 'ready') {
        markReady();
        this.pump();
        return;
      }
      this.finish(slot, msg.id, (job) => (msg.ok ? job.resolve(msg.value) : job.reject(deserializeError(msg.error))));
    });
    worker.on('error', (err) => {
      const job = slot.job;
      this.replace(slot);
      job?.reject(new BugError('OF_BUG_SANDBOX_CRASHED', `the mapping worker crashed: ${err.message}`));
    });
    return slot;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job) continue;
      const job = this.queue.shift() as Job;
      slot.job = job;
      slot.worker.ref();
      void slot.ready.then(() => {
        if (slot.job !== job) return;
        slot.timer = setTimeout(() => this.overrun(slot, job), this.hardTimeoutMs);
        slot.worker.postMessage(job.req);
      });
    }
  }

  private finish(slot: Slot, id: number, settle: (job: Job) => void): void {
    const job = slot.job;
    if (!job || job.req.id !== id) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
    slot.worker.unref();
    settle(job);
    this.pump();
  }

  private overrun(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    this.replace(slot);
    job.reject(
      new UserError(
        'OF_MAP_TIMEOUT',
        `JSONata expression did not finish within ${this.hardTimeoutMs} ms and was stopped; look for a regular expression with nested repetition such as /(a+)+/, or an endless loop`,
        { expression: job.req.expr },
      ),
    );
  }

  /** Kills a slot's worker (stuck or crashed) and puts a fresh one in its place. */
  private replace(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    void slot.worker.terminate();
    const index = this.slots.indexOf(slot);
    if (this.closed || index < 0) return;
    this.slots[index] = this.spawn();
    this.pump();
  }
}
