import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { TransientError } from '../../src/core/errors.ts';
import { createNotifier } from '../../src/notify/notifier.ts';
import { listNotifications } from '../../src/notify/records.ts';
import { resolveEnvRefs, SecretRedactor } from '../../src/notify/secrets.ts';
import { freshStore } from '../helpers/stores.ts';
import { json, startServer } from '../kit/local-server.ts';
import { capturingLogger, config, ENV, SECRETS } from './fixtures.ts';

/** A careless receiver and provider that echo credentials back in their answers. */
const echo = await startServer((req, res) => {
  if (req.url?.startsWith('/2010-04-01/')) return json(res, 500, { message: `internal error for ${String(req.headers.authorization)} token=${SECRETS.TWILIO_TOKEN}` });
  return json(res, 200, { received: true, debug: `your secret is ${SECRETS.WEBHOOK_SECRET}` });
});
const store = await freshStore('sqlite');
after(async () => {
  await echo.close();
  await store.close();
});

test('${ENV} references are resolved from the environment and the values remembered as secrets, also in base64', () => {
  const r = new SecretRedactor();
  const out = resolveEnvRefs({ a: { pass: 'x-${SMTP_PASSWORD}' }, list: ['${TWILIO_TOKEN}'], n: 3 }, ENV, r);
  assert.deepEqual(out, { a: { pass: `x-${SECRETS.SMTP_PASSWORD}` }, list: [SECRETS.TWILIO_TOKEN], n: 3 });
  assert.equal(r.redact(`pw ${SECRETS.SMTP_PASSWORD} and ${Buffer.from(SECRETS.TWILIO_TOKEN).toString('base64')}`), 'pw *** and ***');
});

test('secrets echoed back by a receiver or a provider never reach the notifications table, the API listing or the log', async () => {
  const log = capturingLogger();
  const n = createNotifier(config({ smsUrl: echo.url }), { db: store.db, log, env: ENV });
  await n.send({ channel: 'webhook', to: [`${echo.url}/hook`], template: 'generic', data: { message: 'hello' }, runId: 1, stepId: 'a', flowId: 'f', idempotencyKey: '1:a' });
  await assert.rejects(
    n.send({ channel: 'sms', to: ['+34612345678'], template: 'generic', data: { message: 'hello' }, runId: 1, stepId: 'b', flowId: 'f', idempotencyKey: '1:b' }),
    (err: unknown) => err instanceof TransientError && !err.message.includes(SECRETS.TWILIO_TOKEN),
  );
  n.close();
  const rows = await listNotifications(store.db, { runId: 1 });
  assert.equal(rows.length, 2);
  assert.match(rows[0]?.providerAnswer ?? '', /your secret is \*\*\*/);
  assert.match(rows[1]?.error ?? '', /token=\*\*\*/);
  const everywhere = JSON.stringify(rows) + log.lines.join('\n');
  for (const s of Object.values(SECRETS).filter((v) => v !== SECRETS.TWILIO_SID)) assert.ok(!everywhere.includes(s), `secret ${s.slice(0, 4)}… leaked`);
  assert.ok(!everywhere.includes(Buffer.from(`${SECRETS.TWILIO_SID}:${SECRETS.TWILIO_TOKEN}`).toString('base64')));
});
