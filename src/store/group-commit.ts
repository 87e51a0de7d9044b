/**
 * Group commit for the embedded store. SQLite has one writer and each commit costs a WAL append of every
 * page it touched (~70 µs here), so a worker running 16 runs at once paid 16 commits for 16 steps that
 * finished in the same instant. Writes submitted while the event loop is busy are instead gathered and
 * committed together in one transaction; each caller's promise settles only after that commit, so a
 * caller still never acts on a write that is not durable.
 *
 * Isolation between callers: if any write of a batch throws (or the commit fails), the whole batch is
 * rolled back and every write is run again in a transaction of its own, so one caller's failure is never
 * another's. That re-run is why a write function must touch nothing but the transaction it is given.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Tables } from './schema.ts';

export type WriteFn<T> = (trx: Transaction<Tables>) => Promise<T>;

interface Pending {
  fn: WriteFn<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing = false;
  /** Batches committed, and writes in them (for metrics and the benchmark). */
  batches = 0;
  writes = 0;

  /**
   * @param maxBatch bounds one transaction: its statements run back to back without yielding to the event
   *   loop (better-sqlite3 is synchronous), so a huge batch would delay HTTP ingress.
   */
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly maxBatch = 64,
  ) {}

  write<T>(fn: WriteFn<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled && !this.flushing) {
        this.scheduled = true;
        // After the I/O phase: what other runs and requests submit in this turn joins the batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.flushing = true;
    try {
      // Writes that arrive while a batch commits form the next batch.
      while (this.queue.length > 0) await this.commit(this.queue.splice(0, this.maxBatch));
    } finally {
      this.flushing = false;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    this.batches++;
    this.writes += batch.length;
    if (batch.length === 1) return this.alone(batch[0]!);
    let results: unknown[];
    try {
      results = await this.db.transaction().execute(async (trx) => {
        const out: unknown[] = [];
        for (const p of batch) out.push(await p.fn(trx));
        return out;
      });
    } catch {
      for (const p of batch) await this.alone(p);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]));
  }

  private async alone(p: Pending): Promise<void> {
    try {
      p.resolve(await this.db.transaction().execute(p.fn));
    } catch (err) {
      p.reject(err);
    }
  }
}
