/**
 * Invariant 3 in one process: the runs of one entity execute one at a time, in event order, while other
 * entities run in parallel; an event older than one already applied to its entity is skipped, with why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/stores.ts';
import { waitFor } from '../helpers/engine.ts';
import { harness } from './clocked.ts';

const laneFlow = {
  id: 'lane',
  trigger: { connection: 'src', event: 'job' },
  steps: [
    { id: 'prepare', kind: 'map', expression: '{ "lane": event.payload.lane, "seq": event.payload.seq, "holdMs": event.payload.hold }' },
    { id: 'write', kind: 'action', connection: 'sys', action: 'write', input: 'steps.prepare' },
  ],
};

const pad = (n: number) => String(n).padStart(6, '0');

for (const backend of await backends()) {
  test(`${backend}: 100 events of one entity run in order and never two at once, while other entities run in parallel`, async () => {
    const h = await harness(backend, { concurrency: 16 });
    try {
      await h.flow(laneFlow);
      await h.engine.stop();
      for (let i = 0; i < 100; i++) {
        await h.start('job', { lane: 'A', seq: i, hold: 2 }, { key: `A-${i}`, entity: 'order:A', version: pad(i) });
        if (i % 5 === 0) await h.start('job', { lane: 'others', seq: i, hold: 40 }, { key: `B-${i}`, entity: `order:B${i}`, version: pad(1) });
      }
      h.engine.startWorkers(2, { pollMs: 20, concurrency: 16, leaseMs: 60_000 });
      await waitFor('all 120 runs to succeed', async () => ((await h.store.countRunsByStatus()).succeeded ?? 0) === 120 || undefined, 120_000);
      assert.equal(h.rec.maxConcurrentByLane.get('A'), 1, 'never two runs of order:A at once');
      assert.deepEqual(h.rec.order.filter((o) => o.lane === 'A').map((o) => o.seq), Array.from({ length: 100 }, (_, i) => i));
      assert.ok((h.rec.maxConcurrentByLane.get('others') ?? 0) > 1, 'runs of different entities overlapped');
      assert.equal(await h.store.getEntityVersion('lane|order:A'), pad(99));
    } finally {
      await h.close();
    }
  });

  test(`${backend}: an event older than the version already applied is skipped with the reason`, async () => {
    const h = await harness(backend);
    try {
      await h.flow(laneFlow);
      const newer = await h.start('job', { lane: 'S', seq: 5 }, { entity: 'order:S', version: pad(5) });
      await h.until(newer, 'succeeded');
      const older = await h.start('job', { lane: 'S', seq: 3 }, { entity: 'order:S', version: pad(3) });
      const skipped = await h.until(older, 'skipped');
      const why = skipped.lastError as { code: string; message: string };
      assert.equal(why.code, 'OF_EVENT_STALE');
      assert.match(why.message, /older than version 000005 already applied to order:S/);
      assert.deepEqual(await h.store.listAttempts(older), [], 'no step ran');
      assert.deepEqual(h.rec.order.map((o) => o.seq), [5]);
      assert.equal(await h.store.getEntityVersion('lane|order:S'), pad(5));
      const same = await h.start('job', { lane: 'S', seq: 5 }, { entity: 'order:S', version: pad(5) });
      await h.until(same, 'succeeded');
    } finally {
      await h.close();
    }
  });
}
