import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { TransientError, UserError } from '../../src/core/errors.ts';
import { createNotifier } from '../../src/notify/notifier.ts';
import { listNotifications } from '../../src/notify/records.ts';
import { normalisePhone } from '../../src/notify/sms.ts';
import { freshStore } from '../helpers/stores.ts';
import { json, startServer } from '../kit/local-server.ts';
import { capturingLogger, config, ENV, orderData, SECRETS } from './fixtures.ts';

/** Speaks the Twilio Messages API: Basic auth, form fields, 201 with a message resource, errors with a code. */
let mode: 'ok' | '500' = 'ok';
let counter = 0;
const provider = await startServer((req, res) => {
  const expectedAuth = `Basic ${Buffer.from(`${SECRETS.TWILIO_SID}:${SECRETS.TWILIO_TOKEN}`).toString('base64')}`;
  if (req.headers.authorization !== expectedAuth) return json(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
  if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${SECRETS.TWILIO_SID}/Messages.json`) return json(res, 404, { code: 20404, message: 'not found', status: 404 });
  if (mode === '500') return json(res, 500, { code: 20500, message: 'Internal Server Error', status: 500 });
  const form = new URLSearchParams(req.body.toString('utf8'));
  const to = form.get('To') ?? '';
  if (!/^\+[1-9]\d{6,14}$/.test(to)) return json(res, 400, { code: 21211, message: `The 'To' number ${to} is not a valid phone number.`, status: 400 });
  return json(res, 201, { sid: `SM${String(++counter).padStart(32, '0')}`, status: 'queued', to, from: form.get('From'), body: form.get('Body') });
});
const store = await freshStore('sqlite');
after(async () => {
  await provider.close();
  await store.close();
});

const sms = (runId: number, to: string[], template = 'order-created') => ({ channel: 'sms' as const, to, template, data: orderData('es'), runId, stepId: 'sms', flowId: 'f', idempotencyKey: `${runId}:sms` });

test('an SMS is a form-encoded POST with Basic auth to the Messages API, the number normalised to E.164', async () => {
  const log = capturingLogger();
  const n = createNotifier(config({ smsUrl: provider.url }), { db: store.db, log, env: ENV });
  const res = await n.send(sms(1, ['role:customer', 'role:sales']));
  n.close();
  assert.deepEqual(res.deliveries.map((d) => d.status), ['sent'], "the customer's '612 345 678' and sales' '+34 612 34 56 78' are one number");
  const a = provider.requests.at(-1);
  assert.equal(a?.headers['content-type'], 'application/x-www-form-urlencoded');
  const form = new URLSearchParams(a!.body.toString('utf8'));
  assert.equal(form.get('To'), '+34612345678', "the customer's '612 345 678' with default country ES");
  assert.equal(form.get('From'), '+34910000000');
  assert.equal(form.get('Body'), 'Pedido XKBKNABJK confirmado, ref. 10345, total 1234.50 EUR.');
  const rows = await listNotifications(store.db, { runId: 1 });
  assert.equal(rows.length, 1, 'the same number reached through two roles is one recipient');
  assert.equal(rows[0]?.recipient, '+34******678', 'phone numbers are stored masked');
  assert.match(rows[0]?.providerId ?? '', /^SM0+\d+$/);
  const everything = JSON.stringify(rows) + log.lines.join('\n');
  assert.ok(!everything.includes('612345678'));
  assert.ok(!everything.includes(SECRETS.TWILIO_TOKEN));
  assert.ok(!everything.includes(Buffer.from(`${SECRETS.TWILIO_SID}:${SECRETS.TWILIO_TOKEN}`).toString('base64')));
});

test('a number that is not a phone number is a UserError that names the fix and sends nothing', async () => {
  assert.equal(normalisePhone('0034 612 34 56 78'), '+34612345678');
  assert.throws(() => normalisePhone('12ab'), (err: unknown) => err instanceof UserError && err.code === 'OF_NOTIFY_SMS_NUMBER' && /international form/.test(err.message));
  const n = createNotifier(config({ smsUrl: provider.url }), { db: store.db, log: capturingLogger(), env: ENV });
  const before = provider.requests.length;
  await assert.rejects(n.send(sms(2, ['+34 123'])), (err: unknown) => err instanceof UserError && err.code === 'OF_NOTIFY_SMS_NUMBER');
  n.close();
  assert.equal(provider.requests.length, before);
});

test('a provider 5xx is a TransientError; a refused number (Twilio 21211) is a UserError with the provider code', async () => {
  const n = createNotifier(config({ smsUrl: provider.url }), { db: store.db, log: capturingLogger(), env: ENV });
  mode = '500';
  await assert.rejects(n.send(sms(3, ['+34612345679'])), (err: unknown) => err instanceof TransientError && err.code === 'OF_NOTIFY_SMS_FAILED');
  mode = 'ok';
  await n.send(sms(3, ['+34612345679']));
  assert.equal((await listNotifications(store.db, { runId: 3 }))[0]?.status, 'sent');
  const bad = createNotifier({ ...config({ smsUrl: provider.url }), sms: { baseUrl: provider.url, accountSid: '${TWILIO_SID}', authToken: 'not-the-token', from: '+34910000000' } }, { db: store.db, log: capturingLogger(), env: ENV });
  await assert.rejects(bad.send(sms(4, ['+34612345679'])), (err: unknown) => err instanceof UserError && err.code === 'OF_NOTIFY_SMS_AUTH');
  bad.close();
  n.close();
});
