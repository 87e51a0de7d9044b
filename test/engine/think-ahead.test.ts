/**
 * Steps that change nothing outside the run (map, branch, validate, reads, steps skipped by `when`) are run
 * in memory and journaled with the next write: the outcome of the step before and the start of the next
 * step that acts, or the run's end. The journal reads exactly as if each had its own: every attempt, in
 * order, with its status and output. A read that fails is recorded once and retried, not run twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletedAttempt } from '../../src/store/port.ts';
import { backends } from '../helpers/stores.ts';
import { waitFor } from '../helpers/engine.ts';
import { harness } from './clocked.ts';

const flow = {
  id: 'think',
  trigger: { connection: 'src', event: 'go' },
  steps: [
    { id: 'read', kind: 'action', connection: 'sys', action: 'read', input: '{ "name": "stock" }' },
    { id: 'facts', kind: 'map', expression: '{ "enough": steps.read.value >= 5 }' },
    { id: 'route', kind: 'branch', cases: [{ when: { var: 'steps.facts.enough' }, goto: 'check' }], default: 'never' },
    { id: 'never', kind: 'map', expression: '"skipped by the branch"' },
    { id: 'check', kind: 'validate', rules: [{ condition: { var: 'steps.facts.enough' }, code: 'SHORT', message: 'stock {{ steps.read.value }} is short' }] },
    { id: 'quiet', kind: 'notify', when: { '==': [1, 2] }, channel: 'email', to: ['role:sales'], template: 't' },
    { id: 'write', kind: 'action', connection: 'sys', action: 'write' },
    { id: 'done', kind: 'map', expression: '"last"' },
  ],
};

for (const backend of await backends()) {
  test(`${backend}: thinking steps are journaled with the step before them, in order, in one write`, async () => {
    const h = await harness(backend);
    const writes: Array<{ after: string | null; next: string | null; completed: string[] }> = [];
    const names = (completed?: CompletedAttempt[]) => (completed ?? []).map((c) => `${c.stepId}:${c.status}`);
    const original = h.store.finishAndStart.bind(h.store);
    h.store.finishAndStart = async (runId, workerId, finish, next) => {
      writes.push({ after: finish ? (await h.store.listAttempts(runId)).find((a) => a.id === finish.attemptId)!.stepId : null, next: next.currentStep, completed: names(next.completed) });
      return original(runId, workerId, finish, next);
    };
    const originalFinish = h.store.finishAttempt.bind(h.store);
    h.store.finishAttempt = (runId, workerId, finish, next) => {
      writes.push({ after: finish ? 'write' : null, next: next.currentStep, completed: names(next.completed) });
      return originalFinish(runId, workerId, finish, next);
    };
    try {
      await h.flow(flow);
      h.rec.values.set('stock', 7);
      const id = await h.start('go');
      const run = await h.until(id, 'succeeded');
      const attempts = await h.store.listAttempts(id);
      assert.deepEqual(attempts.map((a) => `${a.stepId}:${a.status}`), ['read:succeeded', 'facts:succeeded', 'route:succeeded', 'check:succeeded', 'quiet:skipped', 'write:succeeded', 'done:succeeded']);
      assert.deepEqual(attempts.find((a) => a.stepId === 'facts')?.output, { enough: true });
      assert.ok(attempts.every((a) => a.finishedAt !== null && a.durationMs !== null));
      // The run's first write carries the read and the four thinking steps and starts `write`; the second
      // finishes `write` with `done`, which ends the run.
      assert.deepEqual(writes, [
        { after: null, next: 'write', completed: ['read:succeeded', 'facts:succeeded', 'route:succeeded', 'check:succeeded', 'quiet:skipped'] },
        { after: 'write', next: null, completed: ['done:succeeded'] },
      ]);
      assert.equal(h.rec.reads, 1);
      assert.deepEqual(run.context.steps.facts, { enough: true });
      assert.equal(h.rec.effects.length, 1);
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a thinking step that blocks is recorded on its own path, after the ones before it`, async () => {
    const h = await harness(backend);
    try {
      await h.flow(flow);
      h.rec.values.set('stock', 2);
      const id = await h.start('go');
      const blocked = await h.until(id, 'blocked');
      assert.equal((blocked.lastError as { code: string }).code, 'OF_RULE_SHORT');
      // The branch sent the run to `never`, which succeeded; then `check` blocked.
      const attempts = await h.store.listAttempts(id);
      assert.deepEqual(attempts.map((a) => `${a.stepId}:${a.status}`), ['read:succeeded', 'facts:succeeded', 'route:succeeded', 'never:succeeded', 'check:failed']);
      assert.equal(h.rec.effects.length, 0, 'nothing was written');
      assert.equal(h.rec.reads, 1, 'the read ran once');
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a cross-reference put after a write is stored in the write that finishes it`, async () => {
    const h = await harness(backend);
    const writes: Array<{ next: string | null; completed: string[]; xrefs: string[] }> = [];
    const shape = (next: string | null, t: { completed?: CompletedAttempt[] | undefined; xrefs?: Array<{ leftId: string; rightId: string }> | undefined }) => ({ next, completed: (t.completed ?? []).map((c) => c.stepId), xrefs: (t.xrefs ?? []).map((x) => `${x.leftId}=${x.rightId}`) });
    const originalStart = h.store.finishAndStart.bind(h.store);
    h.store.finishAndStart = (runId, workerId, finish, next) => {
      writes.push(shape(next.currentStep, next));
      return originalStart(runId, workerId, finish, next);
    };
    const originalFinish = h.store.finishAttempt.bind(h.store);
    h.store.finishAttempt = (runId, workerId, finish, next) => {
      writes.push(shape(next.currentStep, next));
      return originalFinish(runId, workerId, finish, next);
    };
    let putXrefCalls = 0;
    const originalPut = h.store.putXref.bind(h.store);
    h.store.putXref = (x) => {
      putXrefCalls++;
      return originalPut(x);
    };
    try {
      await h.flow({
        id: 'remember',
        trigger: { connection: 'src', event: 'go' },
        steps: [
          { id: 'write', kind: 'action', connection: 'sys', action: 'write' },
          { id: 'remember', kind: 'xref', op: 'put', system: 'erp', entity: 'order', key: '"A-1"', value: '{ "id": "D-9", "note": steps.write.written }' },
          { id: 'note', kind: 'map', expression: '"remembered"' },
          { id: 'read-back', kind: 'xref', op: 'get', system: 'erp', entity: 'order', key: '"A-1"' },
        ],
      });
      const id = await h.start('go');
      const run = await h.until(id, 'succeeded');
      assert.deepEqual(writes, [
        { next: 'write', completed: [], xrefs: [] },
        // The put rides with the write's outcome; the read of it waits for that commit.
        { next: 'read-back', completed: ['remember', 'note'], xrefs: ['A-1=D-9'] },
        { next: null, completed: [], xrefs: [] },
      ]);
      assert.equal(putXrefCalls, 0, 'no write of its own');
      const stored = await h.store.findXref('order', 'src', 'A-1');
      assert.deepEqual(stored.map((x) => [x.rightSystem, x.rightId, x.data.note]), [['erp', 'D-9', `${id}:write`]]);
      assert.deepEqual(run.context.steps.remember, { id: 'D-9', note: `${id}:write` });
      assert.deepEqual(run.context.steps['read-back'], { id: 'D-9', note: `${id}:write` });
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a read that fails ahead is recorded as its failed attempt and retried, not run twice`, async () => {
    const h = await harness(backend);
    try {
      await h.flow(flow);
      h.rec.values.set('stock', 9);
      h.rec.readFailures = 1;
      const id = await h.start('go');
      const queued = await waitFor('the retry to be scheduled', async () => {
        const r = await h.store.getRun(id);
        return r?.status === 'queued' && r.stepAttempt === 1 ? r : undefined;
      });
      assert.equal(queued.currentStep, 'read');
      assert.equal(h.rec.reads, 1, 'the failed read was not run again to record its failure');
      const first = (await h.store.listAttempts(id))[0]!;
      assert.deepEqual([first.stepId, first.status, (first.error as { code: string }).code], ['read', 'failed', 'T_READ']);
      assert.deepEqual(first.input, { name: 'stock' });
      h.clock.advance(60_000);
      await h.until(id, 'succeeded');
      assert.equal(h.rec.reads, 2);
      const attempts = await h.store.listAttempts(id);
      assert.deepEqual(attempts.map((a) => `${a.stepId}:${a.attempt}:${a.status}`).slice(0, 3), ['read:1:failed', 'read:2:succeeded', 'facts:1:succeeded']);
      assert.equal(h.rec.effects.length, 1);
    } finally {
      await h.close();
    }
  });
}
