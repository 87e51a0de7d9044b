/**
 * Thinking steps (map, branch, validate, steps skipped by `when`) after a step that acts are run in
 * memory and journaled with that step's outcome, in one write. The journal reads exactly as if each had
 * its own: every attempt, in order, with its status and output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletedAttempt } from '../../src/store/port.ts';
import { backends } from '../helpers/stores.ts';
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
    const writes: Array<{ next: string; completed: string[] }> = [];
    const original = h.store.finishAndStart.bind(h.store);
    h.store.finishAndStart = (runId, workerId, finish, next, completed?: CompletedAttempt[]) => {
      writes.push({ next: next.currentStep, completed: (completed ?? []).map((c) => `${c.stepId}:${c.status}`) });
      return original(runId, workerId, finish, next, completed);
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
      // One write after `read` carries the four thinking steps and starts `write`; `done` ends the run on its own path.
      assert.deepEqual(writes, [{ next: 'write', completed: ['facts:succeeded', 'route:succeeded', 'check:succeeded', 'quiet:skipped'] }, { next: 'done', completed: [] }]);
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
    } finally {
      await h.close();
    }
  });
}
