import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, freshStore } from '../helpers/stores.ts';
import { loaded, newEngine, newRecorder, waitFor } from '../helpers/engine.ts';
import type { FlowDefinition } from '../../src/flows/types.ts';

const flow = {
  id: 'five',
  trigger: { connection: 'src', event: 'thing.happened' },
  steps: [
    { id: 'a', kind: 'action', connection: 'sys', action: 'noop' },
    { id: 'b', kind: 'map', expression: '{ "n": event.payload.n }' },
    { id: 'c', kind: 'action', connection: 'sys', action: 'write', input: '{ "seq": steps.b.n }' },
    { id: 'd', kind: 'action', connection: 'sys', action: 'noop' },
  ],
} as unknown as FlowDefinition;

for (const backend of await backends()) {
  test(`${backend}: an event runs its flow to success and journals every step`, async () => {
    const store = await freshStore(backend);
    const rec = newRecorder();
    const engine = await newEngine(store, rec);
    await engine.addFlow(loaded(flow));
    engine.startWorkers(1, { pollMs: 50 });
    const res = await engine.ingress.ingest('src', { type: 'thing.happened', dedupeKey: 'x1', entityKey: 'e:1', payload: { n: 7 } });
    assert.equal(res.runIds.length, 1);
    const run = await waitFor('run done', async () => {
      const r = await store.getRun(res.runIds[0]!);
      return r?.status === 'succeeded' ? r : undefined;
    });
    assert.deepEqual(run.context.steps.b, { n: 7 });
    const attempts = await store.listAttempts(run.id);
    assert.deepEqual(attempts.map((a) => a.stepId), ['a', 'b', 'c', 'd']);
    assert.equal(rec.effects.length, 1);
    await engine.stop();
    await store.close();
  });
}
