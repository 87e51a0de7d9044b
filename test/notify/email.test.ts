import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { TransientError, UserError } from '../../src/core/errors.ts';
import { createNotifier } from '../../src/notify/notifier.ts';
import { listNotifications } from '../../src/notify/records.ts';
import { freshStore } from '../helpers/stores.ts';
import { capturingLogger, config, ENV, orderData, PDF, SECRETS } from './fixtures.ts';
import { startSmtp } from './smtp.ts';
import { closedPort } from '../kit/local-server.ts';

const smtp = await startSmtp();
const store = await freshStore('sqlite');
after(async () => {
  await smtp.close();
  await store.close();
});

const req = (over: Partial<Parameters<ReturnType<typeof createNotifier>['send']>[0]> = {}) => ({
  channel: 'email' as const,
  to: ['role:customer'],
  template: 'order-created',
  data: orderData(),
  runId: 7,
  stepId: 'tell-customer',
  flowId: 'order-to-sap',
  idempotencyKey: `7:tell-customer:${Math.random()}`,
  ...over,
});

test('an order confirmation arrives over SMTP with from, reply-to, subject, text, HTML and the PDF attachment', async () => {
  const log = capturingLogger();
  const n = createNotifier(config({ smtpPort: smtp.port }), { db: store.db, log, env: ENV });
  smtp.mails.length = 0;
  const res = await n.send(req());
  n.close();
  assert.equal(res.deliveries.length, 1);
  assert.equal(res.deliveries[0]?.status, 'sent');
  const mail = smtp.mails[0];
  assert.ok(mail);
  assert.deepEqual(mail.envelopeTo, ['ana@customer.example']);
  assert.equal(mail.header('from'), 'Orders <orders@shop.example>');
  assert.equal(mail.header('reply-to'), 'sales@shop.example');
  assert.equal(mail.header('to'), 'ana@customer.example');
  assert.equal(mail.header('subject'), 'Your order XKBKNABJK is confirmed (ERP 10345)');
  assert.match(mail.header('x-orderflow-delivery'), /^[0-9a-f]{32}$/);
  assert.match(mail.text, /Hello Ana García,/);
  assert.match(mail.text, /- 100 x Bolt M8 <zinc> \(BOLT-8\): 34.50 EUR/);
  assert.match(mail.text, /Total: 1234.50 EUR/);
  // values are escaped in HTML, the template's own markup is not
  assert.match(mail.html, /<td>Bolt M8 &lt;zinc&gt;<\/td>/);
  assert.match(mail.html, /<td>Drill &amp; case<\/td>/);
  assert.match(mail.html, /<b>10345<\/b>/);
  assert.equal(mail.attachments.length, 1);
  assert.equal(mail.attachments[0]?.filename, 'invoice-10345.pdf');
  assert.equal(mail.attachments[0]?.contentType, 'application/pdf');
  assert.deepEqual(mail.attachments[0]?.content, PDF);
  const rows = await listNotifications(store.db, { runId: 7 });
  const row = rows.find((r) => r.providerId === mail.header('message-id'));
  assert.ok(row, 'the notification is recorded on the run with the provider message id');
  assert.equal(row.status, 'sent');
  assert.equal(row.channel, 'email');
  assert.equal(row.template, 'order-created');
  assert.equal(row.stepId, 'tell-customer');
  assert.match(row.providerAnswer ?? '', /250/);
});

test('a Spanish customer gets the Spanish template; an unknown language falls back to English', async () => {
  const n = createNotifier(config({ smtpPort: smtp.port }), { db: store.db, log: capturingLogger(), env: ENV });
  smtp.mails.length = 0;
  await n.send(req({ data: orderData('es-ES') }));
  await n.send(req({ data: orderData('fi') }));
  n.close();
  assert.equal(smtp.mails[0]?.header('subject'), 'Su pedido XKBKNABJK está confirmado (ERP 10345)');
  assert.match(smtp.mails[0]?.text ?? '', /Hola Ana García:/);
  assert.match(smtp.mails[0]?.html ?? '', /Gracias por su pedido/);
  assert.equal(smtp.mails[1]?.header('subject'), 'Your order XKBKNABJK is confirmed (ERP 10345)');
  const rows = await listNotifications(store.db, { runId: 7 });
  assert.ok(rows.some((r) => r.language === 'es'));
});

test('a notify step retried with the same idempotency key sends nothing twice', async () => {
  const n = createNotifier(config({ smtpPort: smtp.port }), { db: store.db, log: capturingLogger(), env: ENV });
  smtp.mails.length = 0;
  const key = `9:notify-sales:${Date.now()}`;
  await n.send(req({ to: ['role:sales', 'role:customer'], runId: 9, idempotencyKey: key, template: 'credit-blocked' }));
  await n.send(req({ to: ['role:sales', 'role:customer'], runId: 9, idempotencyKey: key, template: 'credit-blocked' }));
  assert.equal(smtp.mails.length, 2, 'two recipients, each once');
  n.close();
});

for (const failure of ['connection refused', '5xx answer', 'timeout'] as const) {
  test(`an SMTP ${failure} throws a TransientError (the engine retries) and is recorded as failed`, async () => {
    const port = failure === 'connection refused' ? await closedPort() : smtp.port;
    smtp.mode = failure === '5xx answer' ? 'reject' : failure === 'timeout' ? 'hang' : 'ok';
    const log = capturingLogger();
    const n = createNotifier(config({ smtpPort: port, timeoutMs: 400 }), { db: store.db, log, env: ENV });
    const runId = 100 + ['connection refused', '5xx answer', 'timeout'].indexOf(failure);
    try {
      await assert.rejects(n.send(req({ runId })), (err: unknown) => err instanceof TransientError && err.code === 'OF_NOTIFY_EMAIL_FAILED');
    } finally {
      smtp.mode = 'ok';
      n.close();
    }
    const rows = await listNotifications(store.db, { runId });
    assert.equal(rows[0]?.status, 'failed');
    assert.match(rows[0]?.error ?? '', /OF_NOTIFY_EMAIL_FAILED/);
    assert.ok(!JSON.stringify(rows).includes(SECRETS.SMTP_PASSWORD));
    assert.ok(!log.lines.join('\n').includes(SECRETS.SMTP_PASSWORD));
  });
}

test('a refused login is a UserError naming the configuration, and the password appears nowhere', async () => {
  const log = capturingLogger();
  const n = createNotifier(config({ smtpPort: smtp.port }), { db: store.db, log, env: { ...ENV, SMTP_PASSWORD: 'wrong-password-xyz' } });
  await assert.rejects(n.send(req({ runId: 200 })), (err: unknown) => err instanceof UserError && err.code === 'OF_NOTIFY_EMAIL_AUTH' && /notifications\.email\.default\.auth/.test(err.message) && !err.message.includes('wrong-password-xyz'));
  n.close();
  const rows = await listNotifications(store.db, { runId: 200 });
  assert.ok(!JSON.stringify(rows).includes('wrong-password-xyz'));
  assert.ok(!log.lines.join('\n').includes('wrong-password-xyz'));
});

test('a missing environment variable for a secret is a UserError naming the variable', () => {
  assert.throws(() => createNotifier(config({ smtpPort: smtp.port }), { db: store.db, log: capturingLogger(), env: {} }), (err: unknown) => err instanceof UserError && err.code === 'OF_NOTIFY_ENV_MISSING' && /SMTP_PASSWORD/.test(err.message));
});
