/**
 * Several real processes on one PostgreSQL database: runs are shared without ever running twice, and a
 * lane (one entity key) executes one run at a time, in event order, whichever process claims it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshStoreUrl, postgresAvailable, tempDir } from '../helpers/stores.ts';
import { startRecorder, type RecorderServer } from '../helpers/recorder-server.ts';
import { spawnOrderflow, stopProc, writeFile, type Proc } from '../helpers/processes.ts';
import { waitFor } from '../helpers/engine.ts';
import { silentLogger } from '../../src/core/log.ts';
import { Engine } from '../../src/engine/engine.ts';
import { loadFlowFile } from '../../src/flows/load.ts';
import { openStore, type SqlStore } from '../../src/store/index.ts';

const FLOW = `
id: lane-flow
trigger: { connection: src, event: job }
steps:
  - id: prepare
    kind: map
    expression: '{ "seq": event.payload.seq, "lane": event.payload.lane }'
  - id: write
    kind: action
    connection: rec
    action: request
    input: |
      { "method": "POST", "path": "/effect/" & run.id,
        "query": { "lane": steps.prepare.lane, "seq": $string(steps.prepare.seq), "hold": $string(event.payload.hold) },
        "reconcile": { "method": "GET", "path": "/effect/" & run.id } }
`;

interface Cluster {
  store: SqlStore;
  engine: Engine;
  rec: RecorderServer;
  procs: Proc[];
  config: string;
}

async function cluster(): Promise<Cluster> {
  const rec = await startRecorder();
  const dir = tempDir();
  const url = await freshStoreUrl('postgres');
  const flowFile = writeFile(dir, 'flow.yaml', FLOW);
  const config = writeFile(dir, 'orderflow.yaml', `database: "${url}"\nengine: { workers: 1, concurrency: 8, leaseMs: 5000, pollMs: 200 }\nflows: ["${flowFile}"]\nserver: { port: 0 }\nconnections:\n  rec: { connector: http, settings: { baseUrl: "${rec.url}", timeoutMs: 30000 } }\n`);
  const store = await openStore(url);
  const engine = new Engine({ store, log: silentLogger });
  await engine.addFlow(await loadFlowFile(flowFile));
  return { store, engine, rec, procs: [], config };
}

async function teardown(c: Cluster): Promise<void> {
  await Promise.all(c.procs.map((p) => stopProc(p)));
  await c.store.close();
  await c.rec.close();
}

// Decided before any test is declared: a test declared after an await may start after the run ended.
const skip = !(await postgresAvailable()) && 'PostgreSQL is not reachable';

test('postgres: a lane of 100 events for one entity runs in order, never two at once, with two worker processes', { skip }, async () => {
  const c = await cluster();
  try {
    for (let i = 0; i < 100; i++) {
      await c.engine.ingress.ingest('src', { type: 'job', dedupeKey: `lane-A-${i}`, entityKey: 'order:A', version: String(i).padStart(4, '0'), payload: { seq: i, lane: 'A', hold: 5 } });
      // Other entities interleaved, so both workers are busy and tempted to take lane A's next run.
      if (i % 5 === 0) await c.engine.ingress.ingest('src', { type: 'job', dedupeKey: `other-${i}`, entityKey: `order:B${i}`, payload: { seq: 0, lane: `B${i}`, hold: 5 } });
    }
    c.procs.push(spawnOrderflow(['worker', '--config', c.config]), spawnOrderflow(['worker', '--config', c.config]));
    await waitFor('all runs to finish', async () => ((await c.store.countRunsByStatus()).succeeded ?? 0) === 120 || undefined, 400_000);
    assert.equal(c.rec.maxInFlightByLane.get('A'), 1, 'never two runs of lane A at once');
    assert.deepEqual(c.rec.seqByLane.get('A'), Array.from({ length: 100 }, (_, i) => i), 'lane A ran in event order');
    for (const [key, n] of c.rec.counts) assert.equal(n, 1, `effect ${key} happened once`);
  } finally {
    await teardown(c);
  }
});

test('postgres: two worker processes and one start process share 1,000 runs, each executed once, with one poller lease holder', { skip }, async () => {
  const c = await cluster();
  try {
    c.procs.push(spawnOrderflow(['start', '--config', c.config]), spawnOrderflow(['worker', '--config', c.config]), spawnOrderflow(['worker', '--config', c.config]));
    for (let i = 0; i < 1000; i++) {
      await c.engine.ingress.ingest('src', { type: 'job', dedupeKey: `bulk-${i}`, entityKey: `order:${i}`, payload: { seq: 0, lane: `L${i}`, hold: 0 } });
    }
    await waitFor('1,000 runs to succeed', async () => ((await c.store.countRunsByStatus()).succeeded ?? 0) === 1000 || undefined, 400_000);
    assert.equal(c.rec.counts.size, 1000);
    for (const [key, n] of c.rec.counts) assert.equal(n, 1, `effect ${key} happened once`);
    const workers = new Set((await c.store.listRuns({ limit: 1000 })).map((r) => r.id));
    assert.equal(workers.size, 1000);
  } finally {
    await teardown(c);
  }
});
