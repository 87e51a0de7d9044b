import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/stores.ts';
import { waitFor } from '../helpers/engine.ts';
import { api, deliver, failing, signedHeaders, startServer } from './harness.ts';

for (const backend of await backends()) {
  test(`${backend}: the same webhook delivered three times stores one event and starts one run`, async () => {
    const h = await startServer(backend);
    try {
      const d = { id: 'dlv-1', body: { entity: 'order:1', n: 1 } };
      const answers = [await deliver(h.url, d), await deliver(h.url, d), await deliver(h.url, d)];
      assert.deepEqual(answers.map((a) => a.status), [202, 202, 202]);
      assert.equal(answers[0]!.body.received, 1);
      assert.equal(answers[0]!.body.duplicates, 0);
      assert.equal(answers[0]!.body.runIds.length, 1);
      for (const a of answers.slice(1)) {
        assert.equal(a.body.received, 0);
        assert.equal(a.body.duplicates, 1);
        assert.deepEqual(a.body.eventIds, answers[0]!.body.eventIds);
      }
      assert.equal(await h.store.countEvents(), 1);
      const runs = await h.store.listRuns({});
      assert.equal(runs.length, 1);
      await waitFor('run done', async () => (await h.store.getRun(runs[0]!.id))?.status === 'succeeded');
      assert.equal(h.rec.effects.length, 1);
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a webhook with a bad signature is answered 401 and stores nothing`, async () => {
    const h = await startServer(backend);
    try {
      const res = await deliver(h.url, { id: 'dlv-bad', body: { n: 1 }, secret: 'not-the-secret' });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'OF_WEBHOOK_BAD_SIGNATURE');
      assert.equal(res.body.error.kind, 'user');
      assert.equal(await h.store.countEvents(), 0);
      assert.equal((await h.store.listRuns({})).length, 0);
    } finally {
      await h.close();
    }
  });

  test(`${backend}: a webhook is answered 2xx only after it is stored; a failed store answers 5xx and the redelivery is stored once`, async () => {
    const state: { down: boolean; err: Error } = { down: true, err: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }) };
    const h = await startServer(backend, { wrapStore: failing('ingest', () => (state.down ? state.err : undefined)) });
    try {
      const d = { id: 'dlv-retry', body: { entity: 'order:9', n: 9 } };
      const refused = await deliver(h.url, d);
      assert.equal(refused.status, 503);
      assert.equal(refused.body.error.code, 'OF_SERVER_STORE_UNAVAILABLE');
      assert.ok(Number(refused.headers.get('retry-after')) >= 1, 'a 503 carries Retry-After');
      assert.ok(!JSON.stringify(refused.body).includes('5432'), 'driver details stay in the log');
      assert.equal(await h.store.countEvents(), 0);

      state.err = new Error('disk I/O error');
      const broken = await deliver(h.url, d);
      assert.equal(broken.status, 500);
      assert.equal(broken.body.error.code, 'OF_SERVER_INTERNAL');
      assert.ok(!JSON.stringify(broken.body).includes('disk I/O'), 'the cause stays in the log');
      assert.equal(await h.store.countEvents(), 0);

      state.down = false;
      const ok = await deliver(h.url, d);
      assert.equal(ok.status, 202);
      assert.equal(ok.body.received, 1);
      assert.equal(await h.store.countEvents(), 1);
    } finally {
      await h.close();
    }
  });
}

test('a webhook with malformed JSON is answered 400 naming the problem, and nothing is stored', async () => {
  const h = await startServer('sqlite');
  try {
    const res = await deliver(h.url, { id: 'dlv-json', body: null, raw: '{"n": 1,' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'OF_SERVER_BAD_JSON');
    assert.match(res.body.error.message, /not valid JSON \(.+\)/);
    assert.equal(await h.store.countEvents(), 0);
  } finally {
    await h.close();
  }
});

test('a webhook larger than the body limit is answered 413 with the limit in the message', async () => {
  const h = await startServer('sqlite', { bodyLimitBytes: 1024 });
  try {
    const res = await deliver(h.url, { id: 'dlv-big', body: { blob: 'x'.repeat(4096) } });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'OF_SERVER_BODY_TOO_LARGE');
    assert.match(res.body.error.message, /1024 bytes/);
    assert.equal(await h.store.countEvents(), 0);
  } finally {
    await h.close();
  }
});

test('a webhook to an unknown connection or one without a webhook trigger is answered 404', async () => {
  const h = await startServer('sqlite');
  try {
    const unknown = await deliver(h.url, { id: 'x', body: {} }, 'nope');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'OF_CONNECTION_UNKNOWN');
    const noTrigger = await deliver(h.url, { id: 'x', body: {} }, 'sys');
    assert.equal(noTrigger.status, 404);
    assert.equal(noTrigger.body.error.code, 'OF_WEBHOOK_NO_TRIGGER');
    const wrongTrigger = await fetch(`${h.url}/hooks/shop?trigger=other`, { method: 'POST', headers: signedHeaders('{}', 'y'), body: '{}' });
    assert.equal(wrongTrigger.status, 404);
  } finally {
    await h.close();
  }
});

test('a webhook of another content type reaches the connector as the raw bytes it signed', async () => {
  const h = await startServer('sqlite');
  try {
    // The test connector reads no body from text, so the event has the default type and the dedupe id.
    const res = await deliver(h.url, { id: 'dlv-text', body: null, raw: 'plain words', contentType: 'text/plain' });
    assert.equal(res.status, 202);
    assert.equal(res.body.received, 1);
    const ev = await api(h.url, 'GET', `/api/events/${res.body.eventIds[0]}`);
    assert.equal(ev.body.event.dedupeKey, 'shop:dlv-text');
  } finally {
    await h.close();
  }
});

test('a transient failure while receiving a webhook is answered 503 with the Retry-After the error asks for', async () => {
  const h = await startServer('sqlite', { workers: false });
  try {
    const raw = '{"n":1}';
    const res = await fetch(`${h.url}/hooks/shop`, { method: 'POST', headers: { ...signedHeaders(raw, 'busy'), 'x-test-busy': '30000' }, body: raw });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '30');
    const body = (await res.json()) as { error: { code: string; kind: string } };
    assert.deepEqual([body.error.code, body.error.kind], ['T_BUSY', 'transient']);
    assert.equal(await h.store.countEvents(), 0);
  } finally {
    await h.close();
  }
});
