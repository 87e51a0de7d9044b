/**
 * Scheduled re-checks: a validate step with `recheck` retries the run it blocked by itself, from its
 * recheckFrom step, until the cause is gone or its time is up. The run stays blocked meanwhile and the
 * alert is raised once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/stores.ts';
import { waitFor } from '../helpers/engine.ts';
import { harness, type Harness } from './clocked.ts';

const MIN = 60_000;

const stockFlow = {
  id: 'stock',
  trigger: { connection: 'src', event: 'order' },
  steps: [
    { id: 'stock', kind: 'action', connection: 'sys', action: 'read', input: '{ "name": "stock" }' },
    {
      id: 'stock-check',
      kind: 'validate',
      recheckFrom: 'stock',
      recheck: { every: '10m', for: '30m' },
      rules: [{ condition: { '>=': [{ var: 'steps.stock.value' }, 5] }, code: 'OUT_OF_STOCK', message: 'stock {{ steps.stock.value }} is below 5' }],
    },
    { id: 'create', kind: 'action', connection: 'sys', action: 'write' },
  ],
};

/** Waits until the run is blocked after its `reads`-th read of the stock. */
async function blockedAfter(h: Harness, runId: number, reads: number) {
  return waitFor(`run ${runId} blocked after read ${reads}`, async () => {
    const r = await h.store.getRun(runId);
    return r?.status === 'blocked' && h.rec.reads === reads ? r : undefined;
  });
}

type Recheck = { since: number; next?: number; gaveUpAt?: number };

for (const backend of await backends()) {
  test(`${backend}: a blocked run re-checks on its schedule and goes on once the cause is gone, alerting once`, async () => {
    const h = await harness(backend);
    try {
      await h.flow(stockFlow);
      h.rec.values.set('stock', 0);
      const t0 = h.clock.now();
      const id = await h.start('order');
      let run = await blockedAfter(h, id, 1);
      assert.equal(run.currentStep, 'stock', 'a re-check starts again where the facts are read');
      assert.equal(run.runAt, t0 + 10 * MIN);
      assert.deepEqual((run.lastError as { recheck: Recheck }).recheck, { since: t0, next: t0 + 10 * MIN, everyMs: 10 * MIN });

      h.clock.advance(10 * MIN);
      run = await blockedAfter(h, id, 2);
      assert.equal(run.runAt, t0 + 20 * MIN);
      assert.equal((run.lastError as { recheck: Recheck }).recheck.since, t0, 'the same series goes on');
      assert.equal((await h.events('alert.run_blocked')).length, 1, 'one alert for the whole series');

      h.rec.values.set('stock', 12);
      h.clock.advance(10 * MIN);
      await h.until(id, 'succeeded');
      assert.equal(h.rec.reads, 3);
      assert.equal(h.rec.effects.length, 1, 'the order was created once');
    } finally {
      await h.close();
    }
  });

  test(`${backend}: re-checks stop when their time is up; then only a person moves the run on`, async () => {
    const h = await harness(backend);
    try {
      await h.flow(stockFlow);
      h.rec.values.set('stock', 1);
      const t0 = h.clock.now();
      const id = await h.start('order');
      await blockedAfter(h, id, 1);
      for (let i = 2; i <= 4; i++) {
        h.clock.advance(10 * MIN);
        await blockedAfter(h, id, i);
      }
      const run = (await h.store.getRun(id))!;
      assert.deepEqual((run.lastError as { recheck: Recheck }).recheck, { since: t0, gaveUpAt: t0 + 30 * MIN });
      assert.ok(run.runAt > t0 + 365 * 24 * 60 * MIN, 'no further re-check is scheduled');
      h.clock.advance(24 * 60 * MIN);
      assert.equal(await h.store.requeueDueRechecks(h.clock.now()), 0);
      assert.equal(h.rec.reads, 4);

      h.rec.values.set('stock', 9);
      await h.store.retryRun(id, h.clock.now());
      await h.until(id, 'succeeded');
      assert.equal(h.rec.effects.length, 1);
    } finally {
      await h.close();
    }
  });
}
