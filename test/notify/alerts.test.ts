import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineConnector } from '../../src/connectors/kit/types.ts';
import { UserError } from '../../src/core/errors.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { FlowDefinition } from '../../src/flows/types.ts';
import { AlertManager } from '../../src/notify/alerts/manager.ts';
import { createNotifier } from '../../src/notify/notifier.ts';
import { listNotifications } from '../../src/notify/records.ts';
import type { NotifyConfig } from '../../src/notify/types.ts';
import { loaded, waitFor } from '../helpers/engine.ts';
import { backends, freshStore } from '../helpers/stores.ts';
import { closedPort } from '../kit/local-server.ts';
import { capturingLogger, ENV, orderData, SECRETS } from './fixtures.ts';
import { startSmtp } from './smtp.ts';

function notifyConfig(customerPort: number, opsPort: number): NotifyConfig {
  const smtp = (port: number, from: string) => ({ host: '127.0.0.1', port, auth: { user: 'mailer', pass: '${SMTP_PASSWORD}' }, from, timeoutMs: 2_000 });
  return {
    email: { default: smtp(customerPort, 'Orders <orders@shop.example>'), ops: smtp(opsPort, 'orderflow <alerts@shop.example>') },
    roles: { ops: { email: ['ops@shop.example'] } },
    rules: [
      { event: 'alert.run_blocked', channel: 'email', to: ['role:ops'], connection: 'ops' },
      { event: 'alert.run_dead', channel: 'email', to: ['role:ops'], connection: 'ops' },
      { event: 'alert.resolved', channel: 'email', to: ['role:ops'], connection: 'ops' },
    ],
  };
}

const tellCustomer = {
  id: 'confirm-order',
  trigger: { connection: 'shop', event: 'order.confirmed' },
  steps: [{ id: 'tell-customer', kind: 'notify', channel: 'email', to: ['role:customer'], template: 'order-created', data: '{ "customer": event.payload.customer, "order": event.payload.order }', retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50, jitter: 0 } }],
} as unknown as FlowDefinition;

for (const backend of await backends()) {
  test(`${backend}: an SMTP server that refuses connections makes the notify step retry, then the run is dead and ops are alerted; after a retry the customer gets the mail and ops the resolved message`, async () => {
    const store = await freshStore(backend);
    const ops = await startSmtp();
    const customerPort = await closedPort();
    const log = capturingLogger();
    const notifier = createNotifier(notifyConfig(customerPort, ops.port), { db: store.db, log, env: ENV });
    const engine = new Engine({ store, log, notifier });
    const alerts = new AlertManager({ reminderAfter: '30m' }, { db: store.db, store, notifier, log, settleMs: 0 });
    await engine.addFlow(loaded(tellCustomer));
    engine.startWorkers(1, { pollMs: 20 });
    let customerSmtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
    try {
      const { runIds } = await engine.ingress.ingest('shop', { type: 'order.confirmed', dedupeKey: 'o1', entityKey: 'shop:order:1', payload: orderData() });
      const runId = runIds[0]!;
      const dead = await waitFor('run dead', async () => ((await store.getRun(runId))?.status === 'dead' ? store.getRun(runId) : undefined));
      assert.equal((dead?.lastError as { code?: string }).code, 'OF_NOTIFY_EMAIL_FAILED');
      const attempts = await store.listAttempts(runId);
      assert.deepEqual(attempts.map((a) => a.status), ['failed', 'failed', 'failed'], 'three attempts with backoff, as the step asked');
      const rows = await listNotifications(store.db, { runId });
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.status, 'failed');
      assert.equal(rows[0]?.attempts, 3);

      const first = await alerts.round();
      assert.equal(first.opened, 1);
      assert.equal(first.notified, 1);
      assert.equal(ops.mails.length, 1);
      assert.equal(ops.mails[0]?.header('subject'), 'Failed: flow confirm-order at step tell-customer (1 run(s), exhausted)');
      assert.match(ops.mails[0]?.text ?? '', /OF_NOTIFY_EMAIL_FAILED/);
      assert.equal(ops.mails[0]?.header('from'), 'orderflow <alerts@shop.example>');

      // The mail server comes back; a person retries the run: the customer gets the mail once.
      customerSmtp = await startSmtp(undefined, customerPort);
      await store.retryRun(runId);
      await waitFor('run succeeded', async () => (await store.getRun(runId))?.status === 'succeeded');
      assert.equal(customerSmtp.mails.length, 1);
      assert.equal(customerSmtp.mails[0]?.header('subject'), 'Your order XKBKNABJK is confirmed (ERP 10345)');
      const after = await listNotifications(store.db, { runId });
      assert.equal(after.length, 1);
      assert.equal(after[0]?.status, 'sent');
      assert.equal(after[0]?.attempts, 4);

      const second = await alerts.round();
      assert.equal(second.resolved, 1);
      assert.equal(ops.mails.length, 2);
      assert.equal(ops.mails[1]?.header('subject'), 'Resolved: Runs of flow confirm-order failed at step tell-customer (OF_NOTIFY_EMAIL_FAILED)');
      assert.ok(!log.lines.join('\n').includes(SECRETS.SMTP_PASSWORD), 'the SMTP password never reaches the log');
    } finally {
      await engine.stop();
      notifier.close();
      await ops.close();
      await customerSmtp?.close();
      await store.close();
    }
  });

  test(`${backend}: an alert storm (1,000 runs blocked by the same cause) sends one alert and one reminder, then one resolved message`, async () => {
    const store = await freshStore(backend);
    const ops = await startSmtp();
    const log = capturingLogger();
    const notifier = createNotifier(notifyConfig(ops.port, ops.port), { db: store.db, log, env: ENV });
    const engine = new Engine({ store, log, notifier });
    const erp = { broken: true };
    engine.addConnector(
      defineConnector<{ erp: typeof erp }>({
        name: 'fake-erp',
        description: 'refuses orders while a mapping is missing',
        createClient: () => ({ erp }),
        actions: {
          createOrder: {
            description: 'creates an order',
            write: true,
            async run(ctx) {
              if (ctx.client.erp.broken) throw new UserError('T_NO_PAYMENT_MAPPING', "payment method 'ps_checkpayment' has no ERP mapping; add it under mappings.paymentMethods");
              return { DocNum: 1 };
            },
          },
        },
        triggers: {},
      }),
    );
    engine.registry.addConnection({ name: 'erp', connector: 'fake-erp', settings: {} });
    await engine.addFlow(loaded({ id: 'order-to-erp', trigger: { connection: 'shop', event: 'order.confirmed' }, steps: [{ id: 'create-order', kind: 'action', connection: 'erp', action: 'createOrder' }] } as unknown as FlowDefinition));
    let clock = Date.now();
    const alerts = new AlertManager({ reminderAfter: '30m', maxReminders: 1 }, { db: store.db, store, notifier, log, settleMs: 0, now: () => clock });
    engine.startWorkers(1, { pollMs: 20 });
    try {
      // A storm: 1,000 real runs blocked by the engine for the same cause.
      const N = 1_000;
      const REAL = N;
      for (let i = 0; i < REAL; i++) await engine.ingress.ingest('shop', { type: 'order.confirmed', dedupeKey: `o${i}`, entityKey: `shop:order:${i}`, payload: { i } });
      await waitFor('every run blocked', async () => ((await store.countRunsByStatus()).blocked ?? 0) === REAL, 300_000);

      const r1 = await alerts.round();
      assert.equal(r1.events, N, 'every blocked run was seen');
      assert.equal(r1.opened, 1);
      assert.equal(ops.mails.length, 1, 'one alert, not 1,000');
      assert.equal(ops.mails[0]?.header('subject'), `Blocked: flow order-to-erp at step create-order (${N} run(s))`);
      assert.match(ops.mails[0]?.text ?? '', /has no ERP mapping/);

      await alerts.round();
      assert.equal(ops.mails.length, 1, 'nothing more before the reminder is due');
      clock += 31 * 60_000;
      assert.equal((await alerts.round()).reminded, 1);
      assert.equal(ops.mails[1]?.header('subject'), `Reminder: Blocked: flow order-to-erp at step create-order (${N} run(s))`);
      clock += 31 * 60_000;
      await alerts.round();
      assert.equal(ops.mails.length, 2, 'one reminder only (maxReminders 1)');

      // The mapping is added and the runs are retried: the cause clears once no run is blocked by it.
      erp.broken = false;
      const blocked = await store.listRuns({ status: 'blocked', limit: REAL });
      for (const r of blocked.slice(1)) await store.retryRun(r.id);
      await waitFor('runs retried', async () => ((await store.countRunsByStatus()).succeeded ?? 0) === REAL - 1, 300_000);
      assert.equal((await alerts.round()).resolved, 0, 'one run still blocked: still open');
      await store.retryRun(blocked[0]!.id);
      await waitFor('last run retried', async () => ((await store.countRunsByStatus()).succeeded ?? 0) === REAL);
      assert.equal((await alerts.round()).resolved, 1);
      assert.equal(ops.mails.length, 3);
      assert.match(ops.mails[2]?.header('subject') ?? '', /^Resolved: Runs of flow order-to-erp blocked at step create-order/);
      assert.match(ops.mails[2]?.text ?? '', /seen 1000 time/);
      const sent = await listNotifications(store.db, {});
      assert.equal(sent.filter((n) => n.status === 'sent').length, 3);
    } finally {
      await engine.stop();
      notifier.close();
      await ops.close();
      await store.close();
    }
  });
}
