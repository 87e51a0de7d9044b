/** The kit's HTTP client against a real local server: sockets, limits, and what goes on the wire. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpClient, formEncode } from '../../src/connectors/kit/http.ts';
import { OrderflowError } from '../../src/core/errors.ts';
import { json, startServer } from './local-server.ts';

test('sequential calls reuse keep-alive sockets instead of opening one per call', async () => {
  const server = await startServer((req, res) => json(res, 200, { url: req.url }));
  const client = createHttpClient({ name: 'shop', baseUrl: server.url });
  try {
    for (let i = 0; i < 10; i++) {
      const res = await client.request({ method: i % 2 ? 'POST' : 'GET', path: `/n/${i}`, body: i % 2 ? { i } : undefined });
      assert.deepEqual(res.json(), { url: `/n/${i}` });
    }
    // The pool hands a call that follows at once to a second socket while the first one is still being
    // marked free, so two sockets take turns; what matters is that they are reused, not opened per call.
    assert.ok(server.connections() <= 2, `${server.connections()} connections for 10 sequential calls`);
    assert.equal(server.requests.length, 10);
  } finally {
    client.close();
    await server.close();
  }
});

test('never more than the configured number of requests are in flight at the server', async () => {
  // Each answer waits until the limit is reached (or 250 ms pass), so the limit is really exercised.
  const held: Array<() => void> = [];
  const server = await startServer((_req, res) => {
    held.push(() => json(res, 200, {}));
    const flush = () => held.splice(0).forEach((answer) => answer());
    if (held.length >= 3) flush();
    else setTimeout(flush, 250);
  });
  const client = createHttpClient({ name: 'erp', baseUrl: server.url, concurrency: 3 });
  try {
    await Promise.all(Array.from({ length: 15 }, (_, i) => client.request({ method: 'GET', path: `/items/${i}` })));
    assert.equal(server.requests.length, 15);
    assert.equal(server.maxInFlight(), 3, 'the limit is used fully and never exceeded');
  } finally {
    client.close();
    await server.close();
  }
});

test('a failing request gives its concurrency slot back', async () => {
  const server = await startServer((req, res) => json(res, req.url === '/bad' ? 400 : 200, {}));
  const client = createHttpClient({ name: 'erp', baseUrl: server.url, concurrency: 1 });
  try {
    for (let i = 0; i < 3; i++) await assert.rejects(client.request({ method: 'GET', path: '/bad' }), OrderflowError);
    const ok = await client.request({ method: 'GET', path: '/good' });
    assert.equal(ok.status, 200);
  } finally {
    client.close();
    await server.close();
  }
});

test('the rate limit allows no more than N request starts in any one-second window', async () => {
  const server = await startServer((_req, res) => json(res, 200, {}));
  const perSecond = 5;
  const client = createHttpClient({ name: 'shop', baseUrl: server.url, ratePerSecond: perSecond, concurrency: 10 });
  try {
    const total = 2 * perSecond + 1;
    await Promise.all(Array.from({ length: total }, (_, i) => client.request({ method: 'GET', path: `/p/${i}` })));
    const at = server.requests.map((r) => r.at).sort((a, b) => a - b);
    assert.equal(at.length, total);
    // Request i and request i + N must be at least a second apart.
    for (let i = 0; i + perSecond < at.length; i++) {
      const gap = (at[i + perSecond] ?? 0) - (at[i] ?? 0);
      // A broken limiter lets them through within a few ms; the margin absorbs a loaded machine's jitter.
      assert.ok(gap >= 900, `requests ${i} and ${i + perSecond} started ${gap.toFixed(0)} ms apart`);
    }
  } finally {
    client.close();
    await server.close();
  }
});

test('the timeout covers the whole exchange, also when the server drips its answer slowly', async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const drip = setInterval(() => res.write('.'), 30);
    res.on('close', () => clearInterval(drip));
  });
  const client = createHttpClient({ name: 'slow', baseUrl: server.url });
  try {
    await assert.rejects(client.request({ method: 'GET', path: '/drip', timeoutMs: 200 }), { code: 'OF_HTTP_TIMEOUT' });
  } finally {
    client.close();
    await server.close();
  }
});

test('sends the base path, query, default and per-request headers, and a JSON body', async () => {
  const server = await startServer((_req, res) => json(res, 201, { ok: true }));
  const client = createHttpClient({ name: 'api', baseUrl: `${server.url}/api/v1`, headers: { Authorization: 'Bearer t0k', 'X-Tenant': 'a' } });
  try {
    const res = await client.request({
      method: 'post',
      path: '/orders?expand=lines',
      query: { limit: 10, draft: false, skip: undefined },
      headers: { 'x-tenant': 'b' },
      body: { reference: 'PS-1234', total: '19.90' },
    });
    assert.equal(res.status, 201);
    const seen = server.requests[0];
    assert.ok(seen);
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/api/v1/orders?expand=lines&limit=10&draft=false');
    assert.equal(seen.headers.authorization, 'Bearer t0k');
    assert.equal(seen.headers['x-tenant'], 'b', 'a per-request header replaces a default one whatever its case');
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(seen.body.toString('utf8')), { reference: 'PS-1234', total: '19.90' });
  } finally {
    client.close();
    await server.close();
  }
});

test("a caller's own content type is kept for a string body", async () => {
  const server = await startServer((_req, res) => json(res, 200, {}));
  const client = createHttpClient({ name: 'xml', baseUrl: server.url });
  try {
    await client.request({ method: 'PUT', path: '/x', headers: { 'Content-Type': 'application/xml' }, body: '<a/>' });
    const seen = server.requests[0];
    assert.equal(seen?.headers['content-type'], 'application/xml');
    assert.equal(seen?.body.toString('utf8'), '<a/>');
  } finally {
    client.close();
    await server.close();
  }
});

test('a request goes where the base and its path say, with its query encoded as URLSearchParams would', async () => {
  const server = await startServer((req, res) => json(res, 200, { url: req.url }));
  const client = createHttpClient({ name: 'shop', baseUrl: `${server.url}/shop/` });
  const seen = async (path: string, query?: Record<string, string | number | undefined>) => (await client.request({ method: 'GET', path, query })).json<{ url: string }>().url;
  try {
    assert.equal(await seen('api/orders/5'), '/shop/api/orders/5');
    assert.equal(await seen('/api/orders/5', { display: '[id,reference]', 'filter[id]': '[1|2]', skip: undefined }), '/shop/api/orders/5?display=%5Bid%2Creference%5D&filter%5Bid%5D=%5B1%7C2%5D');
    assert.equal(await seen("b1s/v1/BusinessPartners('C 1')"), "/shop/b1s/v1/BusinessPartners('C%201')");
    assert.equal(await seen('api/orders?limit=1', { sort: '[id_DESC]' }), '/shop/api/orders?limit=1&sort=%5Bid_DESC%5D');
    assert.equal(await seen('../other/x'), '/other/x');
    assert.equal(await seen(`${server.url}/elsewhere?a=1`, { b: 2 }), '/elsewhere?a=1&b=2');
  } finally {
    client.close();
    await server.close();
  }
});

test('a query is form-encoded exactly as URLSearchParams encodes it, for every character that needs care', () => {
  const samples = ['a b', "!'()~*-._", 'filter[id]=[1|2]', 'é€😀', '\ud800x', '%20+&=?#/', 'line\nfeed', '', 'a,b;c:d@e$f'];
  for (let i = 0; i < 256; i++) samples.push(String.fromCharCode(i));
  for (const k of samples.slice(0, 9)) {
    for (const v of samples) {
      const query = { [k]: v, n: 5, b: false, skip: undefined };
      const expected = new URLSearchParams([[k, v], ['n', '5'], ['b', 'false']]).toString();
      assert.equal(formEncode(query), expected, `query ${JSON.stringify(query)}`);
    }
  }
});
