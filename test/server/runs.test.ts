import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/stores.ts';
import { loaded, waitFor } from '../helpers/engine.ts';
import type { FlowDefinition } from '../../src/flows/types.ts';
import type { RunRecord } from '../../src/store/port.ts';
import { api, deliver, flows, startServer, type Harness } from './harness.ts';

async function runIn(h: Harness, id: number, status: RunRecord['status']): Promise<RunRecord> {
  return waitFor(`run ${id} ${status}`, async () => {
    const r = await h.store.getRun(id);
    return r?.status === status ? r : undefined;
  });
}

for (const backend of await backends()) {
  test(`${backend}: runs are listed newest first, filtered by status, flow and entity, and paged by id`, async () => {
    const h = await startServer(backend, { workers: false });
    try {
      const ids: number[] = [];
      for (let i = 1; i <= 5; i++) ids.push((await deliver(h.url, { id: `d${i}`, body: { entity: `order:${i % 2}`, n: i } })).body.runIds[0]);
      await deliver(h.url, { id: 'a1', body: { type: 'needs.approval', entity: 'order:7' } });

      const all = await api(h.url, 'GET', '/api/runs');
      assert.equal(all.status, 200);
      assert.equal(all.body.runs.length, 6);
      assert.ok(all.body.runs.every((r: { id: number }, i: number, a: { id: number }[]) => i === 0 || a[i - 1]!.id > r.id), 'newest first');
      assert.equal(all.body.nextBefore, null);

      const byFlow = await api(h.url, 'GET', '/api/runs?flow=hooked&status=queued');
      assert.deepEqual(byFlow.body.runs.map((r: { id: number }) => r.id), [...ids].reverse());
      const byEntity = await api(h.url, 'GET', '/api/runs?entity=shop:order:1');
      assert.deepEqual(byEntity.body.runs.map((r: { id: number }) => r.id), [ids[4], ids[2], ids[0]]);

      const page1 = await api(h.url, 'GET', '/api/runs?flow=hooked&limit=2');
      assert.deepEqual(page1.body.runs.map((r: { id: number }) => r.id), [ids[4], ids[3]]);
      const page2 = await api(h.url, 'GET', `/api/runs?flow=hooked&limit=2&before=${page1.body.nextBefore}`);
      assert.deepEqual(page2.body.runs.map((r: { id: number }) => r.id), [ids[2], ids[1]]);

      const none = await api(h.url, 'GET', '/api/runs?status=dead');
      assert.deepEqual(none.body.runs, []);
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a blocked run is shown with its attempts and event, and a retry resumes it at the failed step`, async () => {
    const h = await startServer(backend, { workers: false });
    try {
      const runId: number = (await deliver(h.url, { id: 'blk', body: { entity: 'order:5', n: 5 } })).body.runIds[0];
      h.rec.failPlan.set(`${runId}:write`, ['user']);
      h.engine.startWorkers(1, { pollMs: 20 });
      await runIn(h, runId, 'blocked');

      const shown = await api(h.url, 'GET', `/api/runs/${runId}`);
      assert.equal(shown.status, 200);
      assert.equal(shown.body.run.status, 'blocked');
      assert.equal(shown.body.run.currentStep, 'write');
      assert.equal(shown.body.run.lastError.code, 'T_USER');
      assert.equal(shown.body.run.lastError.stack, undefined);
      assert.deepEqual(shown.body.attempts.map((a: { stepId: string; status: string }) => `${a.stepId}:${a.status}`), ['first:succeeded', 'write:failed']);
      assert.equal(shown.body.event.payload.n, 5);
      assert.match(shown.body.run.createdAt, /^\d{4}-\d\d-\d\dT/);

      // The current flow lacks the step the run resumes at: a retry on it is refused and changes nothing.
      const renamed = { ...flows.hooked!, steps: flows.hooked!.steps.map((st) => (st.id === 'write' ? { ...st, id: 'write-v2' } : st)) };
      const original = loaded(flows.hooked!);
      await h.engine.addFlow(loaded(renamed as FlowDefinition));
      const refused = await api(h.url, 'POST', `/api/runs/${runId}/retry?flow=current`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'OF_RETRY_STEP_MISSING');
      assert.match(refused.body.error.message, /resumes at step 'write'.*replay/);
      assert.equal((await api(h.url, 'GET', `/api/runs/${runId}`)).body.run.status, 'blocked');
      await h.engine.addFlow(original);

      const retried = await api(h.url, 'POST', `/api/runs/${runId}/retry?flow=current`);
      assert.equal(retried.status, 200);
      assert.equal(retried.body.run.flowVersion, original.hash);
      await runIn(h, runId, 'succeeded');
      const after = await api(h.url, 'GET', `/api/runs/${runId}`);
      assert.deepEqual(after.body.attempts.map((a: { stepId: string; status: string }) => `${a.stepId}:${a.status}`), ['first:succeeded', 'write:failed', 'write:succeeded']);
      assert.equal(h.rec.effects.length, 1);

      const again = await api(h.url, 'POST', `/api/runs/${runId}/retry`);
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, 'OF_RUN_NOT_RETRYABLE');

      const replay = await api(h.url, 'POST', `/api/runs/${runId}/replay`);
      assert.equal(replay.status, 201);
      assert.equal(replay.body.run.replayOf, runId);
      assert.equal(replay.body.run.currentStep, 'first');
      await runIn(h, replay.body.run.id, 'succeeded');
    } finally {
      await h.close();
    }
  });

  test(`${backend}: an approval is given by signal or by the approve and reject shortcuts`, async () => {
    const h = await startServer(backend);
    try {
      const ask = async (id: string): Promise<number> => {
        const runId: number = (await deliver(h.url, { id, body: { type: 'needs.approval', entity: id } })).body.runIds[0];
        await runIn(h, runId, 'waiting');
        return runId;
      };
      const bySignal = await ask('s1');
      const sent = await api(h.url, 'POST', `/api/runs/${bySignal}/signal`, { step: 'ask', payload: { decision: 'approve', by: 'ann' } });
      assert.equal(sent.status, 202);
      const done1 = await runIn(h, bySignal, 'succeeded');
      assert.deepEqual((done1.context.steps.ask as { approved: boolean; by: string }).approved, true);

      const byShortcut = await ask('s2');
      const approved = await api(h.url, 'POST', `/api/runs/${byShortcut}/approve`, { by: 'bob', comment: 'fine' });
      assert.equal(approved.status, 202);
      const done2 = await runIn(h, byShortcut, 'succeeded');
      assert.equal((done2.context.steps.ask as { by: string }).by, 'bob');

      const rejected = await ask('s3');
      assert.equal((await api(h.url, 'POST', `/api/runs/${rejected}/reject`)).status, 202);
      const done3 = await runIn(h, rejected, 'succeeded');
      assert.equal((done3.context.steps.ask as { approved: boolean }).approved, false);

      const late = await api(h.url, 'POST', `/api/runs/${rejected}/approve`);
      assert.equal(late.status, 409);
      assert.equal(late.body.error.code, 'OF_RUN_NOT_AWAITING_APPROVAL');
      const wrongStep = await api(h.url, 'POST', `/api/runs/${rejected}/signal`, { step: 'ask', payload: { decision: 'approve' } });
      assert.equal(wrongStep.status, 409);
      assert.equal(wrongStep.body.error.code, 'OF_SIGNAL_NOT_WAITING');

      const sleeper: number = (await deliver(h.url, { id: 'z1', body: { type: 'will.sleep', entity: 'z1' } })).body.runIds[0];
      await runIn(h, sleeper, 'waiting');
      const notApproval = await api(h.url, 'POST', `/api/runs/${sleeper}/approve`);
      assert.equal(notApproval.status, 409);
      assert.match(notApproval.body.error.message, /timer:nap/);
      const cancelled = await api(h.url, 'POST', `/api/runs/${sleeper}/cancel`);
      assert.equal(cancelled.status, 200);
      assert.equal(cancelled.body.run.status, 'cancelled');
      const twice = await api(h.url, 'POST', `/api/runs/${sleeper}/cancel`);
      assert.equal(twice.status, 409);
      assert.equal(twice.body.error.code, 'OF_RUN_NOT_CANCELLABLE');
    } finally {
      await h.close();
    }
  });
}

test('an unknown run, event or route is answered 404 in the common error shape', async () => {
  const h = await startServer('sqlite', { workers: false });
  try {
    for (const [method, path] of [
      ['GET', '/api/runs/999'],
      ['POST', '/api/runs/999/retry'],
      ['POST', '/api/runs/999/cancel'],
      ['POST', '/api/runs/999/replay'],
      ['POST', '/api/runs/999/approve'],
    ] as const) {
      const res = await api(h.url, method, path);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.error.code, 'OF_RUN_NOT_FOUND', `${method} ${path}`);
      assert.equal(res.body.error.kind, 'user');
    }
    const signal = await api(h.url, 'POST', '/api/runs/999/signal', { step: 'ask' });
    assert.equal(signal.body.error.code, 'OF_RUN_NOT_FOUND');
    const ev = await api(h.url, 'GET', '/api/events/999');
    assert.equal(ev.status, 404);
    assert.equal(ev.body.error.code, 'OF_EVENT_NOT_FOUND');
    const route = await api(h.url, 'GET', '/api/nothing-here');
    assert.equal(route.status, 404);
    assert.equal(route.body.error.code, 'OF_SERVER_ROUTE_NOT_FOUND');
  } finally {
    await h.close();
  }
});

test('an invalid request is answered 400 naming the field and the fix', async () => {
  const h = await startServer('sqlite', { workers: false });
  try {
    const status = await api(h.url, 'GET', '/api/runs?status=finished');
    assert.equal(status.status, 400);
    assert.equal(status.body.error.code, 'OF_SERVER_INVALID_REQUEST');
    assert.match(status.body.error.message, /^querystring\.status must be one of: queued, running, waiting, blocked, dead, succeeded, cancelled, skipped/);
    const limit = await api(h.url, 'GET', '/api/runs?limit=5000');
    assert.match(limit.body.error.message, /^querystring\.limit must be <= 1000/);
    const id = await api(h.url, 'GET', '/api/runs/abc');
    assert.match(id.body.error.message, /^params\.id must be integer/);
    const step = await api(h.url, 'POST', '/api/runs/1/signal', { payload: {} });
    assert.equal(step.status, 400);
    assert.match(step.body.error.message, /^body\.step is required/);
    const json = await fetch(`${h.url}/api/runs/1/signal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"step":' });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { error: { code: string } }).error.code, 'OF_SERVER_BAD_JSON');
    const typo = await api(h.url, 'GET', '/api/runs?flowId=hooked');
    assert.match(typo.body.error.message, /^querystring\.flowId is not a known field; remove it/);
    const text = await fetch(`${h.url}/api/runs/1/signal`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'approve' });
    assert.equal(text.status, 415);
    assert.equal(((await text.json()) as { error: { code: string } }).error.code, 'OF_SERVER_UNSUPPORTED_MEDIA_TYPE');
    const xrefs = await api(h.url, 'GET', '/api/xrefs?entity=order');
    assert.match(xrefs.body.error.message, /^querystring\.system is required/);
  } finally {
    await h.close();
  }
});

test('flows and cross-references are readable; a cross-reference is found from either side', async () => {
  const h = await startServer('sqlite', { workers: false });
  try {
    const flows = await api(h.url, 'GET', '/api/flows');
    const hooked = flows.body.flows.find((f: { id: string }) => f.id === 'hooked');
    assert.equal(hooked.name, 'Hooked');
    assert.match(hooked.version, /^[0-9a-f]{64}$/);
    assert.deepEqual(hooked.trigger, { connection: 'shop', event: 'thing.happened' });
    assert.deepEqual(hooked.steps, [{ id: 'first', kind: 'action' }, { id: 'write', kind: 'action' }]);

    await h.store.putXref({ entity: 'order', leftSystem: 'shop', leftId: '1234', rightSystem: 'erp', rightId: '812', data: { docNum: 10345, apiToken: 'never-shown' } });
    const fromShop = await api(h.url, 'GET', '/api/xrefs?entity=order&system=shop&id=1234');
    const fromErp = await api(h.url, 'GET', '/api/xrefs?entity=order&system=erp&id=812');
    assert.equal(fromShop.body.xrefs.length, 1);
    assert.deepEqual(fromShop.body.xrefs, fromErp.body.xrefs);
    assert.equal(fromShop.body.xrefs[0].rightId, '812');
    assert.equal(fromShop.body.xrefs[0].data.docNum, 10345);
    assert.equal(fromShop.body.xrefs[0].data.apiToken, '[redacted]');
  } finally {
    await h.close();
  }
});
