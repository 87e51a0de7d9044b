/**
 * Invariant 4 and 2 together: a worker process killed with SIGKILL in the middle of a write step loses
 * nothing, and no completed step runs twice. The write reached the target before the kill; the next
 * worker finds the step interrupted, probes the target, and adopts the effect instead of writing again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, freshStoreUrl, tempDir } from '../helpers/stores.ts';
import { startRecorder } from '../helpers/recorder-server.ts';
import { spawnOrderflow, stopProc, writeFile } from '../helpers/processes.ts';
import { waitFor } from '../helpers/engine.ts';
import { silentLogger } from '../../src/core/log.ts';
import { Engine } from '../../src/engine/engine.ts';
import { loadFlowFile } from '../../src/flows/load.ts';
import { openStore } from '../../src/store/index.ts';

const FLOW = `
id: crash-flow
trigger: { connection: src, event: job }
steps:
  - id: s1
    kind: action
    connection: rec
    action: request
    input: '{ "method": "POST", "path": "/effect/" & run.id & "-s1" }'
  - id: s2
    kind: action
    connection: rec
    action: request
    input: |
      { "method": "POST", "path": "/effect/" & run.id & "-s2", "query": { "hold": "60000" },
        "reconcile": { "method": "GET", "path": "/effect/" & run.id & "-s2" } }
  - id: s3
    kind: action
    connection: rec
    action: request
    input: '{ "method": "POST", "path": "/effect/" & run.id & "-s3" }'
`;

for (const backend of await backends()) {
  test(`${backend}: a worker killed with SIGKILL mid-step is resumed at that step and no completed step runs twice`, async () => {
    const rec = await startRecorder();
    const dir = tempDir();
    const url = await freshStoreUrl(backend);
    const flowFile = writeFile(dir, 'flow.yaml', FLOW);
    const config = writeFile(
      dir,
      'orderflow.yaml',
      `database: "${url}"\nengine: { workers: 1, leaseMs: 1500, pollMs: 100 }\nflows: ["${flowFile}"]\nconnections:\n  rec: { connector: http, settings: { baseUrl: "${rec.url}", timeoutMs: 120000 } }\n`,
    );
    const store = await openStore(url);
    const engine = new Engine({ store, log: silentLogger });
    await engine.addFlow(await loadFlowFile(flowFile));
    const { runIds } = await engine.ingress.ingest('src', { type: 'job', dedupeKey: 'job-1', entityKey: 'job:1', payload: {} });
    const runId = runIds[0]!;

    const first = spawnOrderflow(['worker', '--config', config]);
    try {
      await rec.arrived(`${runId}-s2`);
      first.child.kill('SIGKILL');
      await first.exited;
    } finally {
      await stopProc(first, 'SIGKILL');
    }
    assert.equal(rec.counts.get(`${runId}-s3`), undefined, 's3 must not have run before the kill');

    const second = spawnOrderflow(['worker', '--config', config]);
    try {
      const run = await waitFor('the run to succeed on the second worker', async () => {
        const r = await store.getRun(runId);
        return r?.status === 'succeeded' ? r : undefined;
      }, 30_000);
      assert.equal(run.currentStep, null);
    } finally {
      await stopProc(second);
    }
    assert.equal(rec.counts.get(`${runId}-s1`), 1, 's1 ran once');
    assert.equal(rec.counts.get(`${runId}-s2`), 1, 's2 (in flight at the kill) wrote once');
    assert.equal(rec.counts.get(`${runId}-s3`), 1, 's3 ran once');
    const attempts = await store.listAttempts(runId);
    assert.deepEqual(
      attempts.map((a) => `${a.stepId}:${a.status}`),
      ['s1:succeeded', 's2:interrupted', 's2:reconciled', 's3:succeeded'],
    );
    await store.close();
    await rec.close();
  });
}
