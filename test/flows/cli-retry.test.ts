/**
 * `orderflow runs retry ID --current-flow`: a blocked run goes on under the flow as its file holds it now
 * (the fix made in the file applies), or is refused when that flow lacks the step it resumes at.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runsCommand } from '../../src/cli/runs.ts';
import { flowHash, parseFlow } from '../../src/flows/load.ts';
import { openStore } from '../../src/store/index.ts';
import { tempDir } from '../helpers/stores.ts';

const flowText = (second: string) => `id: f\nsettings: { fixed: true }\ntrigger: { connection: src, event: t }\nsteps:\n  - id: a\n    kind: map\n    expression: '1'\n  - id: ${second}\n    kind: map\n    expression: '2'\n`;

async function blockedRun(dbUrl: string): Promise<number> {
  const store = await openStore(dbUrl, { listen: false });
  try {
    const { runIds } = await store.ingest({ dedupeKey: 'k1', type: 't', source: 'src', entityKey: 'e:1', payload: null }, () => [{ flowId: 'f', flowVersion: 'v-old', firstStep: 'b' }]);
    const [run] = await store.claimRuns('w', 1, 60_000);
    assert.equal(run?.id, runIds[0]);
    assert.ok(await store.finishAttempt(run!.id, 'w', undefined, { status: 'blocked', currentStep: 'b', stepAttempt: 1, lastError: { code: 'OF_RULE_X', message: 'fix the setting' } }));
    return run!.id;
  } finally {
    await store.close();
  }
}

async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

test('runs retry --current-flow moves a blocked run to the flow file\'s version, or refuses when its step is gone', async () => {
  const dir = tempDir();
  const dbUrl = `sqlite:${path.join(dir, 'o.db')}`;
  fs.writeFileSync(path.join(dir, 'orderflow.yaml'), `database: ${dbUrl}\nflows: [ flow.yaml ]\n`);
  const config = path.join(dir, 'orderflow.yaml');
  const id = await blockedRun(dbUrl);

  fs.writeFileSync(path.join(dir, 'flow.yaml'), flowText('renamed'));
  await assert.rejects(quietly(() => runsCommand(['retry', String(id), '--current-flow', '--config', config])), (err: Error & { code?: string }) => err.code === 'OF_RETRY_STEP_MISSING' && /resumes at step 'b'/.test(err.message));

  fs.writeFileSync(path.join(dir, 'flow.yaml'), flowText('b'));
  assert.equal(await quietly(() => runsCommand(['retry', String(id), '--current-flow', '--config', config])), 0);
  const store = await openStore(dbUrl, { listen: false });
  try {
    const run = await store.getRun(id);
    const hash = flowHash(parseFlow(flowText('b'), 'flow.yaml'));
    assert.equal(run?.status, 'queued');
    assert.equal(run?.flowVersion, hash);
    assert.ok(await store.getFlowVersion('f', hash), 'the version is stored, so any worker can load it');
  } finally {
    await store.close();
  }
});
