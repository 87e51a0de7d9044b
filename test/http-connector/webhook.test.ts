/** The generic http connector's `webhook` trigger: signature, dedupe key, body, entity key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { UserError } from '../../src/core/errors.ts';
import type { EmittedEvent, WebhookRequest } from '../../src/connectors/kit/types.ts';
import { triggerContext, webhook } from './harness.ts';

const secret = 'whsec_9f8e';
const settings = { webhook: { secret, signatureHeader: 'X-Hub-Signature-256', dedupeHeader: 'X-Delivery-Id', entityPath: 'order.id', typeHeader: 'X-Event' } };

function delivery(body: string, headers: Record<string, string> = {}, sign: string | null = secret): WebhookRequest {
  const h: Record<string, string> = { 'content-type': 'application/json', ...headers };
  if (sign !== null) h['x-hub-signature-256'] = `sha256=${createHmac('sha256', sign).update(body).digest('hex')}`;
  return { headers: h, rawBody: Buffer.from(body), body: undefined };
}

async function receive(ctxSettings: Record<string, unknown>, req: WebhookRequest): Promise<EmittedEvent[]> {
  return webhook.receive(triggerContext(ctxSettings), req);
}

function rejectsWith(code: string, message?: RegExp) {
  return (err: unknown) => err instanceof UserError && err.code === code && (!message || message.test(err.message));
}

test('a correctly signed delivery emits one event keyed by its delivery id, with the entity as lane', async () => {
  const body = JSON.stringify({ order: { id: 1234, state: 'paid' } });
  const events = await receive(settings, delivery(body, { 'x-delivery-id': 'd-77', 'x-event': 'order.paid' }));
  assert.equal(events.length, 1);
  assert.deepEqual({ ...events[0], occurredAt: undefined }, {
    type: 'order.paid',
    dedupeKey: 'hooks:delivery:d-77',
    entityKey: 'hooks:1234',
    payload: { order: { id: 1234, state: 'paid' } },
    occurredAt: undefined,
  });
});

test('the same delivery three times carries the same dedupe key, so it is stored once', async () => {
  const body = JSON.stringify({ order: { id: 1 } });
  const keys = new Set<string>();
  for (let i = 0; i < 3; i++) for (const e of await receive(settings, delivery(body, { 'x-delivery-id': 'same' }))) keys.add(e.dedupeKey);
  assert.deepEqual([...keys], ['hooks:delivery:same']);
});

test('without a delivery id the body hash is the dedupe key: same body, same key; another body, another key', async () => {
  const s = { webhook: { secret } };
  const sign = (b: string) => ({ 'x-signature': createHmac('sha256', secret).update(b).digest('hex') });
  const req = (b: string): WebhookRequest => ({ headers: sign(b), rawBody: Buffer.from(b), body: undefined });
  const [a1] = await receive(s, req('{"n":1}'));
  const [a2] = await receive(s, req('{"n":1}'));
  const [b] = await receive(s, req('{"n":2}'));
  assert.ok(a1 && a2 && b);
  assert.match(a1.dedupeKey, /^hooks:sha256:[0-9a-f]{64}$/);
  assert.equal(a1.dedupeKey, a2.dedupeKey);
  assert.notEqual(a1.dedupeKey, b.dedupeKey);
  assert.equal(a1.type, 'webhook.received');
  assert.equal(a1.entityKey, a1.dedupeKey, 'no entity path: each delivery is its own lane');
});

test('a wrong, missing, truncated or foreign signature is rejected before the body is read', async () => {
  const body = JSON.stringify({ order: { id: 1 } });
  await assert.rejects(receive(settings, delivery(body, {}, 'wrong-secret')), rejectsWith('OF_WEBHOOK_BAD_SIGNATURE', /X-Hub-Signature-256/i));
  await assert.rejects(receive(settings, delivery(body, {}, null)), rejectsWith('OF_WEBHOOK_BAD_SIGNATURE'));
  const truncated = delivery(body);
  truncated.headers['x-hub-signature-256'] = String(truncated.headers['x-hub-signature-256']).slice(0, 20);
  await assert.rejects(receive(settings, truncated), rejectsWith('OF_WEBHOOK_BAD_SIGNATURE'));
  const tampered = delivery(body);
  tampered.rawBody = Buffer.from(JSON.stringify({ order: { id: 2 } }));
  await assert.rejects(receive(settings, tampered), rejectsWith('OF_WEBHOOK_BAD_SIGNATURE'));
  // Not JSON, but the signature fails first: nothing about the body leaks to an unsigned caller.
  await assert.rejects(receive(settings, delivery('{oops', {}, 'wrong')), rejectsWith('OF_WEBHOOK_BAD_SIGNATURE'));
});

test('a signed body that is not JSON is a bad body; a text body is passed on as text', async () => {
  await assert.rejects(receive(settings, delivery('{"order":')), rejectsWith('OF_WEBHOOK_BAD_BODY', /not valid JSON/));
  const text = delivery('ping', { 'content-type': 'text/plain' });
  const [e] = await receive(settings, text);
  assert.equal(e?.payload, 'ping');
});

test('base64 signatures are accepted when configured', async () => {
  const body = '{"a":1}';
  const sig = createHmac('sha256', secret).update(body).digest('base64');
  const s = { webhook: { secret, signatureEncoding: 'base64', signatureHeader: 'X-Shopify-Hmac-Sha256' } };
  const events = await receive(s, { headers: { 'x-shopify-hmac-sha256': sig }, rawBody: Buffer.from(body), body: undefined });
  assert.equal(events.length, 1);
});

test('a webhook without a configured secret is refused unless unsigned deliveries are explicitly allowed', async () => {
  const body = '{"a":1}';
  await assert.rejects(receive({}, delivery(body, {}, null)), rejectsWith('OF_HTTP_CONFIG', /settings\.webhook\.secret is missing/));
  const events = await receive({ webhook: { unsigned: true } }, delivery(body, {}, null));
  assert.deepEqual(events[0]?.payload, { a: 1 });
});

test('a body already parsed by the server is used as is', async () => {
  const body = '{"order":{"id":5}}';
  const req = delivery(body);
  req.body = { order: { id: 5 } };
  const [e] = await receive(settings, req);
  assert.equal(e?.entityKey, 'hooks:5');
});
