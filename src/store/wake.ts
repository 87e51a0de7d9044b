/**
 * Wake-ups: a worker sleeps until a run may be ready. In one process an EventEmitter is enough (SQLite);
 * on PostgreSQL a LISTEN connection carries NOTIFYs sent by any process, so a run queued by the server
 * wakes a worker on another machine at once instead of at its next poll.
 */
import { EventEmitter } from 'node:events';
import type pg from 'pg';

export const WAKE_CHANNEL = 'orderflow_wake';

export class Waker {
  private readonly emitter = new EventEmitter();
  private client: pg.PoolClient | undefined;
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

  close(): void {
    this.closed = true;
    this.emitter.removeAllListeners();
    const c = this.client;
    this.client = undefined;
    if (c) {
      c.removeAllListeners('notification');
      c.release(true);
    }
  }
}
