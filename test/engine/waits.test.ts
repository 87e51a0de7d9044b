/**
 * Waiting on the engine's clock: timers park a run until their time, approvals wait for a person's
 * signal with reminders and a timeout policy, and a run stays on the flow version it started with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderflowError } from '../../src/core/errors.ts';
import { backends } from '../helpers/stores.ts';
import { waitFor } from '../helpers/engine.ts';
import { harness, type Harness } from './clocked.ts';

const MIN = 60_000;

function approvalFlow(onTimeout: 'reject' | 'approve' | 'block') {
  return {
    id: `approve-${onTimeout}`,
    trigger: { connection: 'src', event: `order.${onTimeout}` },
    steps: [
      { id: 'ok', kind: 'approval', role: 'sales', message: 'approve order {{ event.payload.n }}', timeout: '60m', remindEvery: '20m', onTimeout },
      { id: 'after', kind: 'map', expression: '{ "approved": steps.ok.approved }' },
    ],
  };
}

/** Nothing is due: a probe claim finds no run (it would take a due one). */
async function nothingDue(h: Harness): Promise<void> {
  assert.deepEqual(await h.store.claimRuns('probe', 10, 1_000, h.clock.now()), []);
}

async function waitingFor(h: Harness, runId: number, what: string, attempt?: number) {
  return waitFor(`run ${runId} waiting for ${what}`, async () => {
    const r = await h.store.getRun(runId);
    return r?.status === 'waiting' && r.waitingFor === what && (attempt === undefined || r.stepAttempt === attempt) ? r : undefined;
  });
}

for (const backend of await backends()) {
  test(`${backend}: a wait step parks the run until its time, then the run goes on`, async () => {
    const h = await harness(backend);
    try {
      await h.flow({
        id: 'wait',
        trigger: { connection: 'src', event: 'go' },
        steps: [
          { id: 'pause', kind: 'wait', duration: '10m' },
          { id: 'w', kind: 'action', connection: 'sys', action: 'write' },
        ],
      });
      const t0 = h.clock.now();
      const id = await h.start('go');
      const parked = await waitingFor(h, id, 'timer:pause');
      assert.equal(parked.runAt, t0 + 10 * MIN);
      h.clock.advance(10 * MIN - 1);
      await nothingDue(h);
      assert.equal(h.rec.effects.length, 0);
      h.clock.advance(1);
      const done = await h.until(id, 'succeeded');
      assert.deepEqual(done.context.steps.pause, { waitedUntil: new Date(t0 + 10 * MIN).toISOString() });
      assert.equal(h.rec.effects.length, 1);
    } finally {
      await h.close();
    }
  });

  test(`${backend}: an approval waits for a signal; approve continues, reject continues with approved false`, async () => {
    const h = await harness(backend);
    try {
      await h.flow(approvalFlow('reject'));
      const yes = await h.start('order.reject', { n: 1 });
      const no = await h.start('order.reject', { n: 2 });
      await waitingFor(h, yes, 'signal:ok');
      await waitingFor(h, no, 'signal:ok');
      const requested = await h.events('approval.requested');
      assert.deepEqual(requested.map((e) => [e.payload.runId, e.payload.role, e.payload.message]).sort(), [[yes, 'sales', 'approve order 1'], [no, 'sales', 'approve order 2']]);
      await nothingDue(h);
      await h.store.signal(yes, 'ok', { decision: 'approve', by: 'ann' }, h.clock.now());
      await h.store.signal(no, 'ok', { decision: 'reject', by: 'bob', comment: 'too big' }, h.clock.now());
      const y = await h.until(yes, 'succeeded');
      const n = await h.until(no, 'succeeded');
      assert.deepEqual(y.context.steps.after, { approved: true });
      assert.deepEqual(n.context.steps.after, { approved: false });
      assert.equal((n.context.steps.ok as { comment: string }).comment, 'too big');
      await assert.rejects(h.store.signal(yes, 'ok', { decision: 'approve' }), (err: unknown) => err instanceof OrderflowError && err.kind === 'user' && err.code === 'OF_SIGNAL_NOT_WAITING');
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a pending approval emits reminders, then times out to its policy`, async () => {
    const h = await harness(backend);
    try {
      for (const p of ['reject', 'approve', 'block'] as const) await h.flow(approvalFlow(p));
      const ids = {
        reject: await h.start('order.reject', { n: 1 }),
        approve: await h.start('order.approve', { n: 2 }),
        block: await h.start('order.block', { n: 3 }),
      };
      for (const id of Object.values(ids)) await waitingFor(h, id, 'signal:ok', 1);
      h.clock.advance(20 * MIN);
      for (const id of Object.values(ids)) await waitingFor(h, id, 'signal:ok', 2);
      h.clock.advance(20 * MIN);
      for (const id of Object.values(ids)) await waitingFor(h, id, 'signal:ok', 3);
      const reminders = await h.events('approval.reminder');
      assert.deepEqual(reminders.filter((r) => r.payload.runId === ids.reject).map((r) => r.payload.reminder), [1, 2]);
      assert.equal(reminders.length, 6);
      h.clock.advance(20 * MIN);
      const rejected = await h.until(ids.reject, 'succeeded');
      const approved = await h.until(ids.approve, 'succeeded');
      const blocked = await h.until(ids.block, 'blocked');
      assert.deepEqual(rejected.context.steps.ok, { approved: false, decision: 'reject', by: 'timeout', comment: null, decidedAt: new Date(h.clock.now()).toISOString() });
      assert.deepEqual(approved.context.steps.after, { approved: true });
      assert.equal((blocked.lastError as { code: string }).code, 'OF_APPROVAL_EXPIRED');
      assert.equal((await h.events('approval.expired')).length, 3);
    } finally {
      await h.close();
    }
  });

  test(`${backend}: an approval's role, timeout and reminders may come from the flow's settings`, async () => {
    const h = await harness(backend);
    try {
      await h.flow({
        id: 'approve-settings',
        trigger: { connection: 'src', event: 'order.big' },
        settings: { approval: { role: 'directors', timeout: '30m', remindEvery: '10m' } },
        steps: [{ id: 'ok', kind: 'approval', role: '{{ settings.approval.role }}', timeout: '{{ settings.approval.timeout }}', remindEvery: '{{ settings.approval.remindEvery }}', onTimeout: 'block' }],
      });
      const t0 = h.clock.now();
      const id = await h.start('order.big', { n: 1 });
      const parked = await waitingFor(h, id, 'signal:ok', 1);
      assert.equal(parked.runAt, t0 + 10 * MIN, 'the first reminder is due after the setting\'s 10 minutes');
      const [requested] = await h.events('approval.requested');
      assert.equal(requested?.payload.role, 'directors');
      assert.equal(requested?.payload.deadline, new Date(t0 + 30 * MIN).toISOString());
      h.clock.advance(30 * MIN);
      const blocked = await h.until(id, 'blocked');
      assert.match((blocked.lastError as { message: string }).message, /\(role directors\)/);
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a run stays on the flow version it started with when the flow is changed`, async () => {
    const h = await harness(backend);
    try {
      const def = (label: string) => ({
        id: 'versioned',
        trigger: { connection: 'src', event: 'go' },
        steps: [
          { id: 'pause', kind: 'wait', duration: '1m' },
          { id: 'label', kind: 'map', expression: `"${label}"` },
        ],
      });
      const v1 = await h.flow(def('v1'));
      const old = await h.start('go');
      await waitingFor(h, old, 'timer:pause');
      const v2 = await h.flow(def('v2'));
      assert.notEqual(v1, v2);
      const fresh = await h.start('go');
      await waitingFor(h, fresh, 'timer:pause');
      h.clock.advance(MIN);
      const a = await h.until(old, 'succeeded');
      const b = await h.until(fresh, 'succeeded');
      assert.deepEqual([a.flowVersion, a.context.steps.label], [v1, 'v1']);
      assert.deepEqual([b.flowVersion, b.context.steps.label], [v2, 'v2']);
    } finally {
      await h.close();
    }
  });
}
