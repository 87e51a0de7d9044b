/** Concurrency and rate limits for one connection. Small on purpose: a semaphore and a token bucket. */

export class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  constructor(private readonly max: number) {}

  async acquire(): Promise<() => void> {
    if (this.active >= this.max) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    } else {
      this.active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    };
  }

  get inUse(): number {
    return this.active;
  }
}

/**
 * Never more than `perSecond` starts in any sliding one-second window (for a rate below 1/s: one start per
 * `1 / perSecond` seconds). A sliding log of the last starts, not a token bucket: a bucket that starts full
 * lets a burst plus a full refill through within one second, about twice the configured rate.
 */
export class RateLimiter {
  private readonly capacity: number;
  private readonly windowMs: number;
  /** Start times of the last `capacity` takes, oldest first. */
  private readonly starts: number[] = [];
  /** Takes run one after another so that waiters start in arrival order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(perSecond: number) {
    if (!(perSecond > 0)) throw new RangeError(`ratePerSecond must be a positive number, got ${perSecond}`);
    this.capacity = Math.max(1, Math.floor(perSecond));
    this.windowMs = (this.capacity / perSecond) * 1000;
  }

  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn;
    return turn;
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = Date.now();
      const oldest = this.starts[0];
      if (this.starts.length < this.capacity || oldest === undefined || now - oldest >= this.windowMs) {
        if (this.starts.length >= this.capacity) this.starts.shift();
        this.starts.push(now);
        return;
      }
      await new Promise((r) => setTimeout(r, oldest + this.windowMs - now));
    }
  }
}

/** Parses a `Retry-After` header (seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // HTTP dates (IMF-fixdate, RFC 850, asctime) all start with a day name; Date.parse alone would read
  // '-5' as the year -5 and turn garbage into "retry now".
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
