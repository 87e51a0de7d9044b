/**
 * The generic http connector driven by the real engine against a local target: an interrupted create is
 * reconciled and adopted (written once), and a create that never arrived is written again with the same
 * idempotency key. SQLite always; PostgreSQL too when it answers (CI requires it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpConnector } from '../../src/connectors/http/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { FlowDefinition } from '../../src/flows/types.ts';
import { backends, freshStore } from '../helpers/stores.ts';
import { loaded, waitFor } from '../helpers/engine.ts';
import { json, startServer, type Handler } from '../kit/local-server.ts';

const flow = {
  id: 'push-order',
  trigger: { connection: 'shop', event: 'order.confirmed' },
  steps: [
    {
      id: 'create',
      kind: 'action',
      connection: 'erp',
      action: 'request',
      input: '{ "method": "POST", "path": "/orders", "body": { "reference": event.payload.reference }, "reconcile": { "method": "GET", "path": "/orders/by-key/{idempotencyKey}" } }',
      retry: { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 50 },
    },
  ],
} as unknown as FlowDefinition;

/** A target that creates orders keyed by Idempotency-Key; its first POST fails as told. */
function target(fault: 'created-then-502' | 'reset-before-create') {
  const orders = new Map<string, { id: number; reference: string }>();
  let posts = 0;
  const handler: Handler = (req, res) => {
    if (req.method === 'POST') {
      posts++;
      if (posts === 1 && fault === 'reset-before-create') {
        res.socket?.destroy();
        return;
      }
      const key = String(req.headers['idempotency-key']);
      const order = orders.get(key) ?? { id: 800 + orders.size, reference: (JSON.parse(req.body.toString('utf8')) as { reference: string }).reference };
      orders.set(key, order);
      if (posts === 1) json(res, 502, { error: 'upstream timeout' });
      else json(res, 201, order);
      return;
    }
    const found = orders.get(decodeURIComponent(req.url.split('/').pop() ?? ''));
    if (found) json(res, 200, found);
    else json(res, 404, { error: 'no order for this key' });
  };
  return { orders, handler };
}

for (const backend of await backends()) {
  for (const fault of ['created-then-502', 'reset-before-create'] as const) {
    const expectation = fault === 'created-then-502' ? 'is adopted by the probe and written once' : 'is written again with the same idempotency key';
    test(`${backend}: a create that fails with ${fault} ${expectation}`, async () => {
      const t = target(fault);
      const server = await startServer(t.handler);
      const store = await freshStore(backend).catch(async (err: unknown) => {
        await server.close();
        throw err;
      });
      const engine = new Engine({ store, log: silentLogger });
      try {
        engine.addConnector(httpConnector);
        engine.registry.addConnection({ name: 'erp', connector: 'http', settings: { baseUrl: server.url, auth: { type: 'bearer', token: 't' } } });
        await engine.addFlow(loaded(flow));
        engine.startWorkers(1, { pollMs: 20 });
        const { runIds } = await engine.ingress.ingest('shop', { type: 'order.confirmed', dedupeKey: 'shop:order:1234@1', entityKey: 'shop:order:1234', payload: { reference: 'PS-1234' } });
        const runId = runIds[0];
        assert.ok(runId);
        const run = await waitFor('the run to finish', async () => {
          const r = await store.getRun(runId);
          return r && ['succeeded', 'blocked', 'dead'].includes(r.status) ? r : undefined;
        });
        assert.equal(run.status, 'succeeded', JSON.stringify(run));
        assert.equal(t.orders.size, 1, 'exactly one order exists in the target');
        const posts = server.requests.filter((r) => r.method === 'POST');
        const keys = new Set(posts.map((p) => p.headers['idempotency-key']));
        assert.equal(keys.size, 1, 'every attempt carried the same idempotency key');
        if (fault === 'created-then-502') {
          assert.equal(posts.length, 1, 'adopted, not written again');
          assert.ok(server.requests.some((r) => r.method === 'GET' && r.url.startsWith('/orders/by-key/')), 'the probe ran');
        } else {
          assert.equal(posts.length, 2, 'the probe found nothing, so the write was made again');
        }
        const out = (run.context.steps as Record<string, { body?: unknown } | undefined>).create;
        assert.deepEqual(out?.body, { id: 800, reference: 'PS-1234' });
      } finally {
        await engine.stop();
        await store.close();
        await server.close();
      }
    });
  }
}
