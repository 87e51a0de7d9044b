import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter, RateLimiter, Semaphore } from '../../src/connectors/kit/limits.ts';

test('Retry-After in seconds becomes milliseconds', () => {
  assert.equal(parseRetryAfter('120'), 120_000);
  assert.equal(parseRetryAfter(' 0 '), 0);
});

test('Retry-After as an HTTP date becomes the time left until it, never negative', () => {
  const now = Date.parse('Fri, 27 Nov 2026 10:00:00 GMT');
  assert.equal(parseRetryAfter('Fri, 27 Nov 2026 10:00:45 GMT', now), 45_000);
  assert.equal(parseRetryAfter('Fri, 27 Nov 2026 09:59:00 GMT', now), 0);
});

test('a missing or unreadable Retry-After gives no delay rather than a wrong one', () => {
  assert.equal(parseRetryAfter(undefined), undefined);
  assert.equal(parseRetryAfter(''), undefined);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter('-5'), undefined);
});

test('the semaphore hands a released slot to the next waiter in order and a double release is harmless', async () => {
  const sem = new Semaphore(1);
  const order: number[] = [];
  const first = await sem.acquire();
  const waiting = [1, 2, 3].map((n) =>
    sem.acquire().then((release) => {
      order.push(n);
      release();
    }),
  );
  assert.equal(sem.inUse, 1);
  first();
  first();
  await Promise.all(waiting);
  assert.deepEqual(order, [1, 2, 3]);
  assert.equal(sem.inUse, 0);
});

test('the rate limiter lets the first N of a second through at once and refuses a rate that is not positive', async () => {
  const rl = new RateLimiter(50);
  const t0 = Date.now();
  for (let i = 0; i < 50; i++) await rl.take();
  assert.ok(Date.now() - t0 < 500, 'the first second-full is not delayed');
  assert.throws(() => new RateLimiter(0), RangeError);
  assert.throws(() => new RateLimiter(Number.NaN), RangeError);
});
