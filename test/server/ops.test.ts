import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { silentLogger } from '../../src/core/log.ts';
import { serverLogger } from '../../src/server/logger.ts';
import { backends } from '../helpers/stores.ts';
import { waitFor } from '../helpers/engine.ts';
import { api, deliver, failing, startServer } from './harness.ts';

/** Every route the server serves, as OpenAPI paths. */
const ROUTES = [
  'post /hooks/{connection}',
  'get /api/health',
  'get /metrics',
  'get /api/runs',
  'get /api/runs/{id}',
  'post /api/runs/{id}/retry',
  'post /api/runs/{id}/cancel',
  'post /api/runs/{id}/replay',
  'post /api/runs/{id}/signal',
  'post /api/runs/{id}/approve',
  'post /api/runs/{id}/reject',
  'get /api/flows',
  'get /api/events/{id}',
  'get /api/xrefs',
];

/** Checks the Prometheus text exposition format line by line; returns the samples. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)( -?\d+)?$/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      assert.match(line, /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/, `bad comment line: ${line}`);
      continue;
    }
    const m = sample.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return samples;
}

for (const backend of await backends()) {
  test(`${backend}: /api/health answers 200 with the store and pollers, and 503 when the store does not answer`, async () => {
    const state = { down: false };
    const outage = Object.assign(new Error('connection terminated: password=hunter2'), { code: '57P01' });
    const wrap = failing('getRun', () => (state.down ? outage : undefined));
    const h = await startServer(backend, { wrapStore: wrap, workers: false });
    try {
      const ok = await api(h.url, 'GET', '/api/health');
      assert.equal(ok.status, 200);
      assert.equal(ok.body.status, 'ok');
      assert.equal(ok.body.store.ok, true);
      assert.equal(ok.body.store.dialect, backend);
      assert.deepEqual(ok.body.pollers, []);
      state.down = true;
      const down = await api(h.url, 'GET', '/api/health');
      assert.equal(down.status, 503);
      assert.equal(down.body.status, 'unavailable');
      assert.equal(down.body.store.error, '57P01');
      assert.ok(!JSON.stringify(down.body).includes('hunter2'));
    } finally {
      await h.close();
    }
  });

  test(`${backend}: /metrics is Prometheus text with runs by status, webhook counts and latency, and request durations`, async () => {
    const h = await startServer(backend);
    try {
      const runId: number = (await deliver(h.url, { id: 'm1', body: { entity: 'order:1', n: 1 } })).body.runIds[0];
      await deliver(h.url, { id: 'm1', body: { entity: 'order:1', n: 1 } });
      await deliver(h.url, { id: 'm2', body: {}, secret: 'wrong' });
      await waitFor('run done', async () => (await h.store.getRun(runId))?.status === 'succeeded');
      const res = await fetch(`${h.url}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const m = parsePrometheus(await res.text());
      assert.equal(m.get('orderflow_runs{status="succeeded"}'), 1);
      assert.equal(m.get('orderflow_runs{status="dead"}'), 0);
      assert.equal(m.get('orderflow_webhook_events_total{connection="shop",outcome="stored"}'), 1);
      assert.equal(m.get('orderflow_webhook_events_total{connection="shop",outcome="duplicate"}'), 1);
      assert.equal(m.get('orderflow_webhook_events_total{connection="shop",outcome="rejected"}'), 1);
      assert.equal(m.get('orderflow_webhook_ingest_seconds_count{outcome="stored"}'), 1);
      assert.ok((m.get('orderflow_http_request_duration_seconds_count{method="POST",route="/hooks/:connection",status_code="202"}') ?? 0) >= 2);
      assert.ok(m.has('process_cpu_user_seconds_total'), 'default process metrics');
    } finally {
      await h.close();
    }
  });
}

test('/api/docs/json is an OpenAPI 3 document listing every route with its answers', async () => {
  const h = await startServer('sqlite', { workers: false });
  try {
    const res = await api(h.url, 'GET', '/api/docs/json');
    assert.equal(res.status, 200);
    const doc = res.body as { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, { responses?: Record<string, unknown>; parameters?: { in: string; name: string }[] }>> };
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    assert.ok(doc.info.title && doc.info.version);
    const listed = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((method) => `${method} ${p}`));
    assert.deepEqual([...listed].sort(), [...ROUTES].sort());
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${p} documents its answers`);
        for (const name of [...p.matchAll(/\{(\w+)\}/g)].map((x) => x[1])) {
          assert.ok(op.parameters?.some((q) => q.in === 'path' && q.name === name), `${method} ${p} declares path parameter ${name}`);
        }
      }
    }
    const tokenFree = await startServer('sqlite', { workers: false, apiToken: 't' });
    const secured = (await api(tokenFree.url, 'GET', '/api/docs/json')).body as { security?: unknown[]; paths: Record<string, Record<string, { security?: unknown[] }>> };
    await tokenFree.close();
    assert.deepEqual(secured.security, [{ bearer: [] }]);
    assert.deepEqual(secured.paths['/api/health']?.get?.security, [], 'health needs no token');
    assert.deepEqual(secured.paths['/hooks/{connection}']?.post?.security, [], 'webhooks need no token');
    assert.equal(secured.paths['/api/runs']?.get?.security, undefined, 'runs use the document-wide bearer requirement');
    const ui = await fetch(`${h.url}/api/docs`, { redirect: 'follow' });
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /swagger/i);
  } finally {
    await h.close();
  }
});

test('with an API token, /api routes need the bearer token; health, docs and webhooks do not', async () => {
  const h = await startServer('sqlite', { workers: false, apiToken: 'tok-123' });
  try {
    const missing = await api(h.url, 'GET', '/api/runs');
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error.code, 'OF_SERVER_UNAUTHORIZED');
    assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/);
    const wrong = await api(h.url, 'GET', '/api/runs', undefined, { authorization: 'Bearer tok-12' });
    assert.equal(wrong.status, 401);
    const basic = await api(h.url, 'GET', '/api/flows', undefined, { authorization: 'Basic dG9rLTEyMw==' });
    assert.equal(basic.status, 401);
    assert.match(basic.body.error.message, /Bearer <token>/);
    const right = await api(h.url, 'GET', '/api/runs', undefined, { authorization: 'Bearer tok-123' });
    assert.equal(right.status, 200);
    assert.equal((await api(h.url, 'POST', '/api/runs/1/retry')).status, 401);
    assert.equal((await api(h.url, 'GET', '/api/health')).status, 200);
    assert.equal((await api(h.url, 'GET', '/api/docs/json')).status, 200);
    assert.equal((await deliver(h.url, { id: 'tok', body: { n: 1 } })).status, 202);
  } finally {
    await h.close();
  }
});

test('a bug is answered 500 with a request id, and the log line under that id carries the cause', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const h = await startServer('sqlite', { workers: false, loggerInstance: pino({ level: 'info' }, sink), wrapStore: failing('listRuns', () => new TypeError('cannot read properties of undefined (secret sauce)')) });
  try {
    const res = await api(h.url, 'GET', '/api/runs', undefined, { authorization: 'Bearer not-logged' });
    assert.equal(res.status, 500);
    assert.equal(res.body.error.code, 'OF_SERVER_INTERNAL');
    assert.equal(res.body.error.kind, 'bug');
    assert.ok(!JSON.stringify(res.body).includes('secret sauce'), 'the cause stays in the log');
    const requestId = res.body.error.details.requestId as string;
    const entry = lines.map((l) => JSON.parse(l) as { reqId?: string; level: number; err?: { message: string; stack: string } }).find((l) => l.reqId === requestId && l.level >= 50);
    assert.ok(entry?.err?.message.includes('secret sauce') && entry.err.stack, `an error line with the stack under ${requestId}`);
    assert.ok(!lines.join('').includes('not-logged'));
  } finally {
    await h.close();
  }
});

test('the server log redacts credentials in headers and secret-named fields', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const log = serverLogger(silentLogger, pino({ level: 'info' }, sink));
  log.info({ req: { headers: { authorization: 'Bearer tok-abc', cookie: 'sid=s3cr3t', 'x-api-key': 'k-999', accept: 'json' } }, password: 'pw-1', settings: { apiKey: 'ak-2', token: 'tk-3' } }, 'hello');
  const text = lines.join('');
  for (const secret of ['tok-abc', 's3cr3t', 'k-999', 'pw-1', 'ak-2', 'tk-3']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  assert.match(text, /"accept":"json"/);

  const seen: unknown[] = [];
  const plain = { ...silentLogger, info: (o: unknown) => void seen.push(o), child: () => plain };
  serverLogger(plain).info({ headers: { authorization: 'Bearer x-1' }, nested: { secret: 'x-2' } }, 'hi');
  assert.ok(!JSON.stringify(seen).includes('x-1') && !JSON.stringify(seen).includes('x-2'));
});
