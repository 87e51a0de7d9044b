/** The generic http connector's `request` action against a real local server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AmbiguousWriteError, UserError } from '../../src/core/errors.ts';
import type { HttpRequestOutput } from '../../src/connectors/http/index.ts';
import { json, startServer, type Handler, type LocalServer } from '../kit/local-server.ts';
import { actionContext, connect, requestAction } from './harness.ts';

async function withServer(handler: Handler, fn: (server: LocalServer) => Promise<void>): Promise<void> {
  const server = await startServer(handler);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

const echo: Handler = (req, res) => json(res, 200, { method: req.method, url: req.url });

test('a GET sends the auth header and the query, and answers status, headers and the parsed JSON body', async () => {
  await withServer(echo, async (server) => {
    const ctx = actionContext({ baseUrl: `${server.url}/v1`, auth: { type: 'bearer', token: 's3cret' }, headers: { 'X-Tenant': 'acme' } });
    const out = (await requestAction.run(ctx, { method: 'get', path: '/orders', query: { state: 'open', limit: 5 } })) as HttpRequestOutput;
    assert.equal(out.status, 200);
    assert.equal(out.headers['content-type'], 'application/json');
    assert.deepEqual(out.body, { method: 'GET', url: '/v1/orders?state=open&limit=5' });
    const seen = server.requests[0];
    assert.equal(seen?.headers.authorization, 'Bearer s3cret');
    assert.equal(seen?.headers['x-tenant'], 'acme');
    assert.equal(seen?.headers['idempotency-key'], undefined, 'reads carry no idempotency key');
    ctx.client.http.close();
  });
});

test("a POST carries the step's idempotency key and the JSON body", async () => {
  await withServer(
    (_req, res) => json(res, 201, { id: 812 }),
    async (server) => {
      const ctx = actionContext({ baseUrl: server.url }, 'run-7:post-order');
      const out = (await requestAction.run(ctx, { method: 'POST', path: '/orders', body: { reference: 'PS-1234', total: '119.90' } })) as HttpRequestOutput;
      assert.deepEqual(out, { status: 201, headers: out.headers, body: { id: 812 } });
      const seen = server.requests[0];
      assert.equal(seen?.headers['idempotency-key'], 'run-7:post-order');
      assert.deepEqual(JSON.parse(String(seen?.body)), { reference: 'PS-1234', total: '119.90' });
      ctx.client.http.close();
    },
  );
});

test('the idempotency header name is configurable, can be turned off, and a key given in the input is kept', async () => {
  await withServer(echo, async (server) => {
    const named = actionContext({ baseUrl: server.url, idempotencyHeader: 'X-Request-Id' });
    await requestAction.run(named, { method: 'PATCH', path: '/a', body: {} });
    const off = actionContext({ baseUrl: server.url, idempotencyHeader: '' });
    await requestAction.run(off, { method: 'POST', path: '/b', body: {} });
    const own = actionContext({ baseUrl: server.url });
    await requestAction.run(own, { method: 'POST', path: '/c', headers: { 'idempotency-key': 'mine' }, body: {} });
    const [a, b, c] = server.requests;
    assert.equal(a?.headers['x-request-id'], 'run-1:create-order');
    assert.equal(a?.headers['idempotency-key'], undefined);
    assert.equal(b?.headers['idempotency-key'], undefined);
    assert.equal(c?.headers['idempotency-key'], 'mine');
    for (const ctx of [named, off, own]) ctx.client.http.close();
  });
});

test('basic and custom-header auth are sent as configured', async () => {
  await withServer(echo, async (server) => {
    const basic = actionContext({ baseUrl: server.url, auth: { type: 'basic', username: 'WS_KEY', password: '' } });
    await requestAction.run(basic, { method: 'GET', path: '/x' });
    const header = actionContext({ baseUrl: server.url, auth: { type: 'header', name: 'X-Api-Key', value: 'k-123' } });
    await requestAction.run(header, { method: 'GET', path: '/y' });
    assert.equal(server.requests[0]?.headers.authorization, `Basic ${Buffer.from('WS_KEY:').toString('base64')}`);
    assert.equal(server.requests[1]?.headers['x-api-key'], 'k-123');
    basic.client.http.close();
    header.client.http.close();
  });
});

test('a text answer is returned as text and an empty one as null', async () => {
  await withServer(
    (req, res) => {
      if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end('sku;qty\nA-1;3\n');
    },
    async (server) => {
      const ctx = actionContext({ baseUrl: server.url });
      const csv = (await requestAction.run(ctx, { method: 'GET', path: '/stock.csv' })) as HttpRequestOutput;
      assert.equal(csv.body, 'sku;qty\nA-1;3\n');
      const empty = (await requestAction.run(ctx, { method: 'DELETE', path: '/empty' })) as HttpRequestOutput;
      assert.equal(empty.status, 204);
      assert.equal(empty.body, null);
      ctx.client.http.close();
    },
  );
});

test('an interrupted create is adopted by the reconcile probe instead of being written twice', async () => {
  // The target creates the order, then fails to answer (a 502 from its proxy). The probe finds it by key.
  const created = new Map<string, { id: number }>();
  await withServer(
    (req, res) => {
      if (req.method === 'POST') {
        const key = String(req.headers['idempotency-key']);
        created.set(key, { id: 812 });
        json(res, 502, { error: 'bad gateway' });
        return;
      }
      const key = decodeURIComponent(req.url.split('/').pop() ?? '');
      const found = created.get(key);
      if (found) json(res, 200, found);
      else json(res, 404, { error: 'no such order' });
    },
    async (server) => {
      const ctx = actionContext({ baseUrl: server.url }, 'run 9/step a');
      const input = { method: 'POST', path: '/orders', body: { reference: 'PS-1' }, reconcile: { method: 'GET', path: '/orders/by-key/{idempotencyKey}' } };
      await assert.rejects(requestAction.run(ctx, input), (err: unknown) => err instanceof AmbiguousWriteError);
      assert.ok(requestAction.reconcile);
      const adopted = (await requestAction.reconcile(ctx, input)) as HttpRequestOutput | undefined;
      assert.deepEqual(adopted?.body, { id: 812 });
      assert.equal(server.requests.at(-1)?.url, `/orders/by-key/${encodeURIComponent('run 9/step a')}`);
      assert.equal(server.requests.filter((r) => r.method === 'POST').length, 1, 'written once');

      const other = actionContext({ baseUrl: server.url }, 'never-written');
      assert.equal(await requestAction.reconcile(other, input), undefined, 'a 404 from the probe means absent: the write may be retried');
      ctx.client.http.close();
      other.client.http.close();
    },
  );
});

test('a probe answering an empty list means absent when absentWhenEmpty is set', async () => {
  await withServer(
    (_req, res) => json(res, 200, []),
    async (server) => {
      const ctx = actionContext({ baseUrl: server.url });
      const probe = { method: 'GET', path: '/orders', query: { reference: 'PS-1' } };
      assert.ok(requestAction.reconcile);
      assert.equal(await requestAction.reconcile(ctx, { method: 'POST', path: '/orders', reconcile: { ...probe, absentWhenEmpty: true } }), undefined);
      const adopted = (await requestAction.reconcile(ctx, { method: 'POST', path: '/orders', reconcile: probe })) as HttpRequestOutput;
      assert.deepEqual(adopted.body, [], 'without the flag any 2xx adopts');
      assert.equal(server.requests[0]?.url, '/orders?reference=PS-1');
      ctx.client.http.close();
    },
  );
});

test('without a probe an unknown POST outcome needs a person, while PUT and DELETE are simply retried', async () => {
  const ctx = actionContext({ baseUrl: 'http://127.0.0.1:9' });
  assert.ok(requestAction.reconcile);
  await assert.rejects(requestAction.reconcile(ctx, { method: 'POST', path: '/orders' }), (err: unknown) => err instanceof UserError && err.code === 'OF_HTTP_NO_PROBE' && /add reconcile/.test(err.message));
  assert.equal(await requestAction.reconcile(ctx, { method: 'PUT', path: '/orders/1' }), undefined);
  assert.equal(await requestAction.reconcile(ctx, { method: 'DELETE', path: '/orders/1' }), undefined);
  ctx.client.http.close();
});

test('bad step input is a user error naming the field', async () => {
  const ctx = actionContext({ baseUrl: 'http://127.0.0.1:9' });
  const cases: Array<[unknown, RegExp]> = [
    ['GET /x', /\(the input\) must be an object/],
    [{ method: 'FETCH', path: '/x' }, /method is "FETCH"; use one of GET/],
    [{ method: 'GET' }, /path is missing/],
    [{ method: 'GET', path: '/x', headers: { a: 1 } }, /headers\.a must be a string/],
    [{ method: 'GET', path: '/x', query: { a: {} } }, /query\.a must be a string, number or boolean/],
    [{ method: 'POST', path: '/x', reconcile: { method: 'DELETE', path: '/y' } }, /reconcile\.method is "DELETE"; the probe must be a GET/],
  ];
  for (const [input, message] of cases) {
    await assert.rejects(requestAction.run(ctx, input), (err: unknown) => err instanceof UserError && err.code === 'OF_HTTP_INPUT' && message.test(err.message));
  }
  ctx.client.http.close();
});

test('bad connection settings are a user error naming the setting and the fix', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{}, /settings\.baseUrl is missing/],
    [{ baseUrl: 'ftp://x' }, /settings\.baseUrl is 'ftp:\/\/x', not an http\(s\) URL/],
    [{ baseUrl: 'http://x', auth: { type: 'oauth' } }, /settings\.auth\.type is "oauth"; use 'bearer', 'basic' or 'header'/],
    [{ baseUrl: 'http://x', auth: { type: 'bearer' } }, /settings\.auth\.token is missing/],
    [{ baseUrl: 'http://x', concurrency: 0 }, /settings\.concurrency must be a positive number/],
    [{ baseUrl: 'http://x', webhook: { signatureEncoding: 'hex64' } }, /settings\.webhook\.signatureEncoding is 'hex64'/],
  ];
  for (const [settings, message] of cases) {
    assert.throws(
      () => connect(settings, 'crm'),
      (err: unknown) => err instanceof UserError && err.code === 'OF_HTTP_CONFIG' && /^connection 'crm': /.test(err.message) && message.test(err.message),
    );
  }
});
