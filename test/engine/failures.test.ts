/**
 * The error taxonomy through the real engine: transient failures are retried on the scheduled delays
 * (Retry-After honoured), exhausted or buggy steps go dead, user errors block, a person's retry resumes
 * at the failed step, cancel fences the worker out, replay starts over. Ambiguous writes are probed first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/stores.ts';
import { waitFor } from '../helpers/engine.ts';
import { harness, type Harness } from './clocked.ts';

const RETRY = { maxAttempts: 3, initialDelayMs: 1_000, maxDelayMs: 60_000, factor: 2, jitter: 0 };

/** Three writes; `w2` is the one that fails as planned. */
const threeWrites = {
  id: 'three',
  trigger: { connection: 'src', event: 'go' },
  steps: [
    { id: 'w1', kind: 'action', connection: 'sys', action: 'write' },
    { id: 'w2', kind: 'action', connection: 'sys', action: 'write', retry: RETRY },
    { id: 'w3', kind: 'action', connection: 'sys', action: 'write' },
  ],
};

function effectsOf(h: Harness, runId: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of h.rec.effects) if (e.key.startsWith(`${runId}:`)) out[e.key.slice(String(runId).length + 1)] = (out[e.key.slice(String(runId).length + 1)] ?? 0) + 1;
  return out;
}

async function attemptsOf(h: Harness, runId: number): Promise<string[]> {
  return (await h.store.listAttempts(runId)).map((a) => `${a.stepId}:${a.status}`);
}

/** Plans failures for the next run's w2 before any worker can see it: the run id is the next id. */
async function startWithPlan(h: Harness, plan: Parameters<Harness['rec']['failPlan']['set']>[1]): Promise<number> {
  await h.engine.stop();
  const id = await h.start('go');
  h.rec.failPlan.set(`${id}:w2`, plan);
  h.engine.startWorkers(1, { pollMs: 20, leaseMs: 60_000 });
  return id;
}

/** Waits until the run is queued for a retry after `attempts` failed attempts, and answers its run_at. */
async function retryScheduled(h: Harness, runId: number, attempts: number): Promise<number> {
  const run = await waitFor(`run ${runId} queued after attempt ${attempts}`, async () => {
    const r = await h.store.getRun(runId);
    return r?.status === 'queued' && r.stepAttempt === attempts ? r : undefined;
  });
  return run.runAt;
}

for (const backend of await backends()) {
  test(`${backend}: a transient failure is retried after the scheduled delays, then the run goes on`, async () => {
    const h = await harness(backend);
    try {
      await h.flow(threeWrites);
      const id = await startWithPlan(h, ['transient', 'transient']);
      const t0 = h.clock.now();
      assert.equal(await retryScheduled(h, id, 1), t0 + 1_000);
      h.clock.advance(999);
      assert.deepEqual(await h.store.claimRuns('probe', 10, 1_000, h.clock.now()), [], 'not due before its delay');
      h.clock.advance(1);
      assert.equal(await retryScheduled(h, id, 2), t0 + 1_000 + 2_000);
      h.clock.advance(2_000);
      await h.until(id, 'succeeded');
      assert.deepEqual(effectsOf(h, id), { w1: 1, w2: 1, w3: 1 });
      assert.deepEqual(await attemptsOf(h, id), ['w1:succeeded', 'w2:failed', 'w2:failed', 'w2:succeeded', 'w3:succeeded']);
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a Retry-After from the error sets the delay, capped by the step's maximum delay`, async () => {
    const h = await harness(backend);
    try {
      await h.flow(threeWrites);
      const id = await startWithPlan(h, [{ retryAfterMs: 7_000 }, { retryAfterMs: 3_600_000 }]);
      const t0 = h.clock.now();
      assert.equal(await retryScheduled(h, id, 1), t0 + 7_000);
      h.clock.advance(7_000);
      assert.equal(await retryScheduled(h, id, 2), t0 + 7_000 + 60_000);
      const run = await h.store.getRun(id);
      assert.equal((run?.lastError as { code?: string }).code, 'T_RETRY_AFTER');
      h.clock.advance(60_000);
      await h.until(id, 'succeeded');
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a step that keeps failing is dead after its attempts, with an alert.run_dead event`, async () => {
    const h = await harness(backend);
    try {
      await h.flow(threeWrites);
      const id = await startWithPlan(h, ['transient', 'transient', 'transient', 'transient']);
      await retryScheduled(h, id, 1);
      h.clock.advance(1_000);
      await retryScheduled(h, id, 2);
      h.clock.advance(2_000);
      const run = await h.until(id, 'dead');
      assert.equal(run.currentStep, 'w2');
      assert.deepEqual({ ...(run.lastError as object) }, { ...(run.lastError as object), code: 'T_TEST', reason: 'exhausted', step: 'w2', attempt: 3 });
      assert.deepEqual(effectsOf(h, id), { w1: 1 });
      const alerts = await waitFor('the dead alert', async () => {
        const a = await h.events('alert.run_dead');
        return a.length > 0 ? a : undefined;
      });
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]?.payload.runId, id);
      assert.equal(alerts[0]?.payload.reason, 'exhausted');
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a user error blocks the run with its message and an alert; a retry resumes at the failed step`, async () => {
    const h = await harness(backend);
    try {
      await h.flow(threeWrites);
      const id = await startWithPlan(h, ['user']);
      const blocked = await h.until(id, 'blocked');
      assert.equal(blocked.currentStep, 'w2');
      const err = blocked.lastError as { kind: string; code: string; message: string };
      assert.deepEqual([err.kind, err.code, err.message], ['user', 'T_USER', 'planned user error: fix the thing']);
      const alerts = await waitFor('the blocked alert', async () => {
        const a = await h.events('alert.run_blocked');
        return a.length > 0 ? a : undefined;
      });
      assert.equal((alerts[0]?.payload.error as { message?: string }).message, 'planned user error: fix the thing');
      assert.deepEqual(effectsOf(h, id), { w1: 1 });

      await h.store.retryRun(id, h.clock.now());
      await h.until(id, 'succeeded');
      assert.deepEqual(effectsOf(h, id), { w1: 1, w2: 1, w3: 1 }, 'w1 is not executed again');
      assert.deepEqual(await attemptsOf(h, id), ['w1:succeeded', 'w2:failed', 'w2:succeeded', 'w3:succeeded']);
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a bug (a TypeError) kills the run at once, keeping the stack`, async () => {
    const h = await harness(backend);
    try {
      await h.flow(threeWrites);
      const id = await startWithPlan(h, ['bug']);
      const run = await h.until(id, 'dead');
      const err = run.lastError as { kind: string; message: string; stack?: string; reason: string };
      assert.deepEqual([err.kind, err.message, err.reason], ['bug', 'planned bug', 'bug']);
      assert.match(err.stack ?? '', /TypeError: planned bug\n\s+at /);
      assert.deepEqual(await attemptsOf(h, id), ['w1:succeeded', 'w2:failed']);
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a run cancelled mid-step stops there: its worker writes nothing more`, async () => {
    const h = await harness(backend);
    try {
      await h.flow({
        id: 'slow',
        trigger: { connection: 'src', event: 'go' },
        steps: [
          { id: 'w1', kind: 'action', connection: 'sys', action: 'write', input: '{ "lane": "slow", "holdMs": 300 }' },
          { id: 'w2', kind: 'action', connection: 'sys', action: 'write' },
        ],
      });
      const id = await h.start('go');
      await waitFor('w1 in flight', async () => (h.rec.concurrentByLane.get('slow') ?? 0) > 0 || undefined);
      await h.store.cancelRun(id, h.clock.now());
      await waitFor('w1 to finish', async () => h.rec.effects.length === 1 || undefined);
      await h.engine.stop();
      const run = await h.store.getRun(id);
      assert.equal(run?.status, 'cancelled');
      assert.deepEqual(effectsOf(h, id), { w1: 1 }, 'w2 never ran');
      assert.deepEqual(await attemptsOf(h, id), ['w1:started'], 'the fenced worker could not journal the outcome');
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a replay is a new run from the first step; the original stays as it was`, async () => {
    const h = await harness(backend);
    try {
      const version = await h.flow(threeWrites);
      const id = await h.start('go');
      await h.until(id, 'succeeded');
      const replay = await h.store.replayRun(id, 'w1', version, h.clock.now());
      const done = await h.until(replay.id, 'succeeded');
      assert.equal(done.replayOf, id);
      assert.deepEqual(effectsOf(h, replay.id), { w1: 1, w2: 1, w3: 1 });
      assert.deepEqual(effectsOf(h, id), { w1: 1, w2: 1, w3: 1 });
    } finally {
      await h.close();
    }
  });

  test(`${backend}: an ambiguous write whose effect exists is adopted, not written again`, async () => {
    const h = await harness(backend);
    try {
      await h.flow(threeWrites);
      const id = await startWithPlan(h, ['ambiguous-after-write']);
      const run = await h.until(id, 'succeeded');
      assert.deepEqual(effectsOf(h, id), { w1: 1, w2: 1, w3: 1 });
      assert.deepEqual(await attemptsOf(h, id), ['w1:succeeded', 'w2:reconciled', 'w3:succeeded']);
      assert.deepEqual(run.context.steps.w2, { written: `${id}:w2`, adopted: true });
    } finally {
      await h.close();
    }
  });

  test(`${backend}: an ambiguous write whose effect is absent is written again, once`, async () => {
    const h = await harness(backend);
    try {
      await h.flow(threeWrites);
      const id = await startWithPlan(h, ['ambiguous-before-write']);
      await retryScheduled(h, id, 1);
      const failed = (await h.store.listAttempts(id)).find((a) => a.status === 'failed');
      assert.equal((failed?.error as { code?: string }).code, 'OF_WRITE_ABSENT_RETRY');
      h.clock.advance(1_000);
      await h.until(id, 'succeeded');
      assert.deepEqual(effectsOf(h, id), { w1: 1, w2: 1, w3: 1 });
      assert.deepEqual(await attemptsOf(h, id), ['w1:succeeded', 'w2:failed', 'w2:succeeded', 'w3:succeeded']);
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a write interrupted by a dead worker whose probe then fails is probed again on the retry, never written blindly`, async () => {
    const h = await harness(backend);
    try {
      await h.flow({ id: 'one-write', trigger: { connection: 'src', event: 'go' }, steps: [{ id: 'w', kind: 'action', connection: 'sys', action: 'write', retry: RETRY }] });
      await h.engine.stop();
      const id = await h.start('go');
      // A worker claims the run, starts the write, the target applies it, and the worker dies.
      const [run] = await h.store.claimRuns('dead-worker', 1, 1_000, h.clock.now());
      assert.equal(run?.id, id);
      assert.ok((await h.store.startAttempt(id, 'dead-worker', 'w', 1, null)) !== undefined);
      h.rec.effects.push({ action: 'write', key: `${id}:w`, input: null, at: Date.now() });
      // Its lease runs out; the next worker finds the attempt interrupted, and the target is down as it probes.
      h.rec.probeFailures = 1;
      h.clock.advance(2_000);
      h.engine.startWorkers(1, { pollMs: 20, leaseMs: 60_000 });
      const runAt = await retryScheduled(h, id, 2);
      h.clock.advance(runAt - h.clock.now());
      const done = await h.until(id, 'succeeded');
      assert.deepEqual(effectsOf(h, id), { w: 1 }, 'written once: the retry probed again and adopted the effect');
      assert.deepEqual(await attemptsOf(h, id), ['w:interrupted', 'w:failed', 'w:reconciled']);
      assert.deepEqual(done.context.steps.w, { written: `${id}:w`, adopted: true });
    } finally {
      await h.close();
    }
  });
}
