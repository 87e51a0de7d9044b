/**
 * Wake-ups: a worker sleeps until a run may be ready. In one process an EventEmitter is enough; on
 * PostgreSQL a LISTEN connection carries NOTIFYs sent by any process, so a run queued by the server wakes
 * a worker on another machine at once instead of at its next poll. SQLite has no NOTIFY, but its
 * `data_version` changes when another process commits: watching it every few milliseconds wakes a worker
 * process shortly after the server process stored a run.
 */
import { EventEmitter } from 'node:events';
import type pg from 'pg';

export const WAKE_CHANNEL = 'orderflow_wake';

export class Waker {
  private readonly emitter = new EventEmitter();
  private client: pg.PoolClient | undefined;
  private watch: NodeJS.Timeout | undefined;
  private closed = false;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  on(listener: () => void): () => void {
    this.emitter.on('wake', listener);
    return () => this.emitter.off('wake', listener);
  }

  /** Local wake: listeners in this process. */
  emit(): void {
    this.emitter.emit('wake');
  }

  /** Starts listening for NOTIFYs from other processes. */
  async listen(pool: pg.Pool): Promise<void> {
    const client = await pool.connect();
    if (this.closed) {
      client.release();
      return;
    }
    this.client = client;
    client.on('notification', () => this.emit());
    client.on('error', () => {
      // The pool replaces broken clients; workers still poll, so a lost LISTEN only slows wake-ups.
    });
    await client.query(`LISTEN ${WAKE_CHANNEL}`);
  }

  /** Wakes when another process commits to the SQLite file (see the module's note). */
  watchSqlite(dataVersion: () => number, everyMs = 5): void {
    let last = dataVersion();
    this.watch = setInterval(() => {
      let now: number;
      try {
        now = dataVersion();
      } catch {
        return; // closing: the next tick is cleared
      }
      if (now !== last) {
        last = now;
        this.emit();
      }
    }, everyMs);
    this.watch.unref();
  }

  close(): void {
    this.closed = true;
    if (this.watch) clearInterval(this.watch);
    this.emitter.removeAllListeners();
    const c = this.client;
    this.client = undefined;
    if (c) {
      c.removeAllListeners('notification');
      c.release(true);
    }
  }
}
