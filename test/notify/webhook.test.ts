import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TransientError, UserError } from '../../src/core/errors.ts';
import { createNotifier } from '../../src/notify/notifier.ts';
import { listNotifications } from '../../src/notify/records.ts';
import { verifyWebhookSignature } from '../../src/notify/webhook.ts';
import { freshStore } from '../helpers/stores.ts';
import { json, startServer, type SeenRequest } from '../kit/local-server.ts';
import { capturingLogger, config, ENV, SECRETS } from './fixtures.ts';

/**
 * The receiver a customer would write: it checks the HMAC over `${t}.${body}` in constant time, refuses a
 * timestamp older than 5 minutes (a replay) and a delivery id it has already processed.
 */
const processed = new Set<string>();
let failNext = 0;
const receiver = await startServer((req: SeenRequest, res: http.ServerResponse) => {
  if (failNext > 0) {
    failNext--;
    return json(res, 503, { error: 'busy' });
  }
  const header = String(req.headers['x-orderflow-signature'] ?? '');
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return json(res, 400, { error: 'malformed signature' });
  const expected = createHmac('sha256', SECRETS.WEBHOOK_SECRET).update(`${m[1]}.${req.body.toString('utf8')}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'))) return json(res, 401, { error: 'bad signature' });
  if (Math.abs(Date.now() / 1000 - Number(m[1])) > 300) return json(res, 400, { error: 'stale timestamp: replay refused' });
  const id = String(req.headers['x-orderflow-delivery']);
  if (processed.has(id)) return json(res, 409, { error: 'delivery already processed' });
  processed.add(id);
  return json(res, 200, { ok: true });
});
const store = await freshStore('sqlite');
after(async () => {
  await receiver.close();
  await store.close();
});

const notify = (runId: number, over: { key?: string } = {}) => ({
  channel: 'webhook' as const,
  to: [`${receiver.url}/hooks/orderflow?token=url-token-abc`],
  template: 'order-created',
  data: { order: { reference: 'R1', erpNumber: 55, total: '10.00', currency: 'EUR', lines: [] }, customer: { name: 'Bo' } },
  runId,
  stepId: 'hook',
  flowId: 'f',
  idempotencyKey: over.key ?? `${runId}:hook`,
});

test('a webhook is a signed JSON POST with a delivery id that a receiver verifies', async () => {
  const n = createNotifier(config(), { db: store.db, log: capturingLogger(), env: ENV });
  const res = await n.send(notify(1));
  n.close();
  assert.equal(res.deliveries[0]?.status, 'sent');
  const seen = receiver.requests.at(-1)!;
  assert.equal(seen.method, 'POST');
  assert.equal(seen.url, '/hooks/orderflow?token=url-token-abc');
  assert.equal(seen.headers['content-type'], 'application/json');
  const body = JSON.parse(seen.body.toString('utf8')) as Record<string, unknown>;
  assert.equal(body.id, seen.headers['x-orderflow-delivery']);
  assert.equal(body.template, 'order-created');
  assert.equal(body.runId, 1);
  assert.equal(body.subject, 'Your order R1 is confirmed (ERP 55)');
  assert.deepEqual((body.data as { order: { reference: string } }).order.reference, 'R1');
  assert.deepEqual(verifyWebhookSignature(SECRETS.WEBHOOK_SECRET, String(seen.headers['x-orderflow-signature']), seen.body.toString('utf8')).ok, true);
  assert.equal(verifyWebhookSignature('other-secret', String(seen.headers['x-orderflow-signature']), seen.body.toString('utf8')).ok, false);
  const rows = await listNotifications(store.db, { runId: 1 });
  assert.equal(rows[0]?.status, 'sent');
  assert.equal(rows[0]?.recipient, `${receiver.url}/hooks/orderflow?***`, 'the URL is stored without its query (tokens travel there)');
});

test('a replayed delivery is refused by the receiver: the same request again, or one signed long ago', async () => {
  const first = receiver.requests.at(-1)!;
  // the very same request again
  const again = await fetch(`${receiver.url}${first.url}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-orderflow-signature': String(first.headers['x-orderflow-signature']), 'x-orderflow-delivery': String(first.headers['x-orderflow-delivery']) }, body: first.body });
  assert.equal(again.status, 409);
  // a body with a changed amount under the old signature
  const tampered = first.body.toString('utf8').replace('R1', 'R2');
  const forged = await fetch(`${receiver.url}/hooks/orderflow`, { method: 'POST', headers: { 'x-orderflow-signature': String(first.headers['x-orderflow-signature']) }, body: tampered });
  assert.equal(forged.status, 401);
  // a sender whose clock says ten minutes ago: the timestamp is stale and the receiver refuses it
  const n = createNotifier(config(), { db: store.db, log: capturingLogger(), env: ENV, now: () => Date.now() - 10 * 60_000 });
  await assert.rejects(n.send(notify(2)), (err: unknown) => err instanceof UserError && err.code === 'OF_NOTIFY_WEBHOOK_REJECTED' && /replay refused/.test(err.message));
  n.close();
  assert.equal(verifyWebhookSignature(SECRETS.WEBHOOK_SECRET, String(receiver.requests.at(-1)!.headers['x-orderflow-signature']), receiver.requests.at(-1)!.body.toString('utf8')).ok, false);
});

test('a receiver answering 503 makes the step retry (TransientError); the retry carries the same delivery id', async () => {
  const n = createNotifier(config(), { db: store.db, log: capturingLogger(), env: ENV });
  failNext = 1;
  const before = receiver.requests.length;
  await assert.rejects(n.send(notify(3)), (err: unknown) => err instanceof TransientError && err.code === 'OF_NOTIFY_WEBHOOK_FAILED');
  assert.equal((await listNotifications(store.db, { runId: 3 }))[0]?.status, 'failed');
  await n.send(notify(3));
  n.close();
  const [a, b] = receiver.requests.slice(before);
  assert.equal(a?.headers['x-orderflow-delivery'], b?.headers['x-orderflow-delivery']);
  const rows = await listNotifications(store.db, { runId: 3 });
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.status, 'sent');
  assert.equal(rows[0]?.attempts, 2);
  assert.ok(!JSON.stringify(rows).includes('url-token-abc'));
});
