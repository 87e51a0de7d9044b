import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, decideAfterFailure, mergeRetryPolicy, type RetryPolicy } from '../../src/core/retry.ts';

const policy: RetryPolicy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1_000, factor: 2, jitter: 0.2 };
const noJitter = () => 0;
const fullJitter = () => 0.999999;

test('the backoff doubles from the initial delay and stops at the maximum delay', () => {
  const delays = [1, 2, 3, 4, 5, 6].map((a) => backoffDelay(policy, a, undefined, noJitter));
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
});

test('jitter only shortens a delay, by at most its share', () => {
  for (let attempt = 1; attempt <= 6; attempt++) {
    const top = backoffDelay(policy, attempt, undefined, noJitter);
    const bottom = backoffDelay(policy, attempt, undefined, fullJitter);
    assert.equal(bottom, Math.round(top * (1 - policy.jitter)), `attempt ${attempt}: full jitter takes 20% off`);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(policy, attempt, undefined, Math.random);
      assert.ok(d >= bottom && d <= top, `attempt ${attempt}: ${d} within [${bottom}, ${top}]`);
    }
  }
});

test('a Retry-After longer than the backoff is honoured, and capped by the maximum delay', () => {
  assert.equal(backoffDelay(policy, 1, 700, noJitter), 700);
  assert.equal(backoffDelay(policy, 1, 60_000, noJitter), 1_000);
  // A shorter Retry-After does not shorten the backoff.
  assert.equal(backoffDelay(policy, 3, 10, noJitter), 400);
});

test('a transient failure is retried until the attempts are exhausted, then the run is dead', () => {
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) {
    assert.deepEqual(decideAfterFailure('transient', attempt, policy, undefined, noJitter), { action: 'retry', delayMs: backoffDelay(policy, attempt, undefined, noJitter) });
  }
  assert.deepEqual(decideAfterFailure('transient', policy.maxAttempts, policy), { action: 'dead', reason: 'exhausted' });
  assert.deepEqual(decideAfterFailure('transient', 1, policy, 900, noJitter), { action: 'retry', delayMs: 900 });
});

test('a user error blocks, a bug is dead at once, an ambiguous write reconciles first', () => {
  assert.deepEqual(decideAfterFailure('user', 1, policy), { action: 'block' });
  assert.deepEqual(decideAfterFailure('bug', 1, policy), { action: 'dead', reason: 'bug' });
  assert.deepEqual(decideAfterFailure('ambiguous', 1, policy), { action: 'reconcile' });
  assert.deepEqual(decideAfterFailure('ambiguous', policy.maxAttempts, policy), { action: 'reconcile' });
});

test('a step policy overrides only the fields it sets', () => {
  assert.deepEqual(mergeRetryPolicy(policy, { maxAttempts: 2, factor: undefined }), { ...policy, maxAttempts: 2 });
  assert.deepEqual(mergeRetryPolicy(policy, undefined), policy);
});
