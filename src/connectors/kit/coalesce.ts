/**
 * Reads of one kind from many runs, merged into one request: the credit positions of eight customers in one
 * `$filter`, the orders of twelve runs in one `filter[id]=[…]`. A peer that answers a list as fast as a
 * single object (both PrestaShop and the Service Layer do) then costs one call per batch instead of one
 * per run, and with a slow peer (a Service Layer at 150 ms a call, 8 calls at a time) that is what decides
 * how many orders a second get through.
 *
 * How batches form, without a timer that would delay a lone request:
 * - a key asked for is queued, and the queue is sent at the end of the current turn of the event loop
 *   (`setImmediate`), so the runs that resumed in the same turn share one request;
 * - at most `maxInFlight` batches of this kind are out at once; while they are, keys keep queuing and go
 *   together in the next batch as soon as one comes back. With an idle peer nothing waits; with a slow or
 *   busy one, batches grow by themselves;
 * - a batch out for longer than `stallMs` stops counting: one stuck request (a hung socket, a slow query)
 *   must not hold every read of its kind until its timeout, as it would hold only its own without batches.
 *
 * Each caller gets the outcome it would have had alone:
 * - one key alone is read by `fetchOne`, the connector's single-object read;
 * - a key the batch does not answer is read again alone (a missing object is then the same "not found"
 *   error, or the same `undefined`, as before);
 * - a failed batch that retrying could fix (a timeout, a 503) fails every caller with that error, each
 *   retries by its own step's policy; any other failure (one bad key can make the whole query invalid)
 *   is not shared: each key is read again alone, so only the caller whose key is bad sees an error.
 * The same key asked for twice while queued is read once; both callers get the same value (read-only).
 */
import { OrderflowError } from '../../core/errors.ts';

export interface CoalescerOptions<K, V> {
  /** Reads many keys in one call. A key missing from the answer is read again with `fetchOne`. */
  fetchMany: (keys: K[]) => Promise<Map<K, V>>;
  /** Reads one key (also the path of a batch of one). */
  fetchOne: (key: K) => Promise<V>;
  /** Keys per batch (the peer's URL or filter limits). */
  maxBatch: number;
  /** Batches of this kind out at once; further keys queue and go together when one comes back. */
  maxInFlight: number;
  /** After this long, a batch still out no longer counts against `maxInFlight` (default 2,000 ms). */
  stallMs?: number;
}

/**
 * Batches of one kind a connection lets out at once: one per 8 of its `concurrency`, at least one, so that
 * the writes keep the connection's other calls.
 */
export function batchesInFlight(concurrency: number): number {
  return Math.max(1, Math.floor(concurrency / 8));
}

interface Waiter<V> {
  resolve: (v: V) => void;
  reject: (e: unknown) => void;
}

export class Coalescer<K, V> {
  /** Keys asked for by callers, and calls sent for them (batches and single reads): the metrics' figures. */
  readonly stats = { asked: 0, sent: 0 };
  private readonly queued = new Map<K, Waiter<V>[]>();
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly opts: CoalescerOptions<K, V>) {
    if (!(opts.maxBatch >= 1) || !(opts.maxInFlight >= 1)) throw new RangeError('Coalescer: maxBatch and maxInFlight must be at least 1');
  }

  load(key: K): Promise<V> {
    this.stats.asked++;
    return new Promise<V>((resolve, reject) => {
      const waiting = this.queued.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.queued.set(key, [{ resolve, reject }]);
      this.schedule();
    });
  }

  /** Keys queued and batches out (for tests). */
  get pending(): { queued: number; inFlight: number } {
    return { queued: this.queued.size, inFlight: this.inFlight };
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.queued.size > 0 && this.inFlight < this.opts.maxInFlight) {
      const batch = new Map<K, Waiter<V>[]>();
      for (const [key, waiters] of this.queued) {
        if (batch.size >= this.opts.maxBatch) break;
        batch.set(key, waiters);
      }
      for (const key of batch.keys()) this.queued.delete(key);
      this.inFlight++;
      let counted = true;
      const uncount = () => {
        if (!counted) return;
        counted = false;
        this.inFlight--;
        if (this.queued.size > 0) this.schedule();
      };
      const stalled = setTimeout(uncount, this.opts.stallMs ?? 2000);
      stalled.unref();
      void this.send(batch).finally(() => {
        clearTimeout(stalled);
        uncount();
      });
    }
  }

  private async send(batch: Map<K, Waiter<V>[]>): Promise<void> {
    const keys = [...batch.keys()];
    if (keys.length === 1) return this.alone(keys[0]!, batch.get(keys[0]!)!);
    let found: Map<K, V>;
    try {
      this.stats.sent++;
      found = await this.opts.fetchMany(keys);
    } catch (err) {
      if (err instanceof OrderflowError && err.retryable) {
        for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
        return;
      }
      await Promise.all(keys.map((k) => this.alone(k, batch.get(k)!)));
      return;
    }
    const again: K[] = [];
    for (const [key, waiters] of batch) {
      if (found.has(key)) for (const w of waiters) w.resolve(found.get(key) as V);
      else again.push(key);
    }
    await Promise.all(again.map((k) => this.alone(k, batch.get(k)!)));
  }

  private async alone(key: K, waiters: Waiter<V>[]): Promise<void> {
    try {
      this.stats.sent++;
      const v = await this.opts.fetchOne(key);
      for (const w of waiters) w.resolve(v);
    } catch (err) {
      for (const w of waiters) w.reject(err);
    }
  }
}
