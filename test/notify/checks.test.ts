import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { defineConnector } from '../../src/connectors/kit/types.ts';
import { TransientError } from '../../src/core/errors.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { FlowDefinition } from '../../src/flows/types.ts';
import { AlertManager } from '../../src/notify/alerts/manager.ts';
import type { PollerHealth } from '../../src/notify/alerts/checks.ts';
import { createNotifier } from '../../src/notify/notifier.ts';
import { listNotifications } from '../../src/notify/records.ts';
import type { NotifyConfig } from '../../src/notify/types.ts';
import { loaded, waitFor } from '../helpers/engine.ts';
import { freshStore } from '../helpers/stores.ts';
import { capturingLogger, ENV } from './fixtures.ts';
import { startSmtp } from './smtp.ts';

const smtp = await startSmtp();
after(() => smtp.close());

function cfg(extra: Partial<NotifyConfig> = {}): NotifyConfig {
  return {
    email: { default: { host: '127.0.0.1', port: smtp.port, auth: { user: 'mailer', pass: '${SMTP_PASSWORD}' }, from: 'orderflow <alerts@shop.example>' } },
    roles: { ops: { email: ['ops@shop.example'] }, approvers: { email: ['boss@shop.example'] } },
    rules: [
      { event: 'approval.*', channel: 'email', to: ['role:approvers'], urgent: true },
      { event: 'alert.*', channel: 'email', to: ['role:ops'], urgent: true },
    ],
    ...extra,
  };
}

async function setup(config: NotifyConfig, checks: ConstructorParameters<typeof AlertManager>[0], pollers?: () => PollerHealth[]) {
  const store = await freshStore('sqlite');
  const log = capturingLogger();
  const notifier = createNotifier(config, { db: store.db, log, env: ENV });
  const engine = new Engine({ store, log, notifier });
  const clock = { t: Date.now() };
  const alerts = new AlertManager(checks, { db: store.db, store, notifier, log, settleMs: 0, now: () => clock.t, pollers });
  const close = async () => {
    await engine.stop();
    notifier.close();
    await store.close();
  };
  return { store, engine, alerts, clock, close };
}

const subjects = (from: number) => smtp.mails.slice(from).map((m) => m.header('subject'));

test('an approval request reaches the approvers; one pending too long raises an alert, resolved once decided', async () => {
  const { store, engine, alerts, clock, close } = await setup(cfg(), { approvalPendingAfter: '4h' });
  const start = smtp.mails.length;
  try {
    await engine.addFlow(loaded({ id: 'big-orders', trigger: { connection: 'shop', event: 'order.confirmed' }, steps: [{ id: 'approve', kind: 'approval', role: 'approvers', message: 'Order {{ event.payload.ref }} is over the limit' }] } as unknown as FlowDefinition));
    engine.startWorkers(1, { pollMs: 20 });
    const { runIds } = await engine.ingress.ingest('shop', { type: 'order.confirmed', dedupeKey: 'a1', entityKey: 'shop:order:a1', payload: { ref: 'BIG-1' } });
    await waitFor('run waiting', async () => (await store.getRun(runIds[0]!))?.status === 'waiting');
    await alerts.round();
    assert.deepEqual(subjects(start), ['Approval needed: Order BIG-1 is over the limit']);
    assert.deepEqual(smtp.mails.at(-1)?.envelopeTo, ['boss@shop.example']);
    assert.equal((await listNotifications(store.db, { runId: runIds[0]! }))[0]?.template, 'approval-requested');
    await alerts.round();
    assert.equal(smtp.mails.length, start + 1, 'the request is sent once');

    clock.t += 5 * 3600_000;
    await alerts.round();
    assert.equal(subjects(start + 1)[0], '1 approval(s) pending for more than 240 min in flow big-orders (step approve)');

    await store.signal(runIds[0]!, 'approve', { decision: 'approve', by: 'boss' });
    await waitFor('run done', async () => (await store.getRun(runIds[0]!))?.status === 'succeeded');
    await alerts.round();
    assert.equal(subjects(start + 2)[0], 'Resolved: 1 approval(s) pending for more than 240 min in flow big-orders (step approve)');
  } finally {
    await close();
  }
});

test('runs of a watched flow still unfinished N minutes after their event raise one alert, resolved when they finish', async () => {
  const { store, engine, alerts, clock, close } = await setup(cfg(), { lateRuns: [{ flow: 'slow', after: '10m' }] });
  const start = smtp.mails.length;
  try {
    await engine.addFlow(loaded({ id: 'slow', trigger: { connection: 'shop', event: 'order.confirmed' }, steps: [{ id: 'pause', kind: 'wait', duration: '1h' }] } as unknown as FlowDefinition));
    engine.startWorkers(1, { pollMs: 20 });
    const ids: number[] = [];
    for (const k of ['s1', 's2']) ids.push(...(await engine.ingress.ingest('shop', { type: 'order.confirmed', dedupeKey: k, entityKey: `shop:order:${k}`, payload: {} })).runIds);
    await alerts.round();
    assert.equal(smtp.mails.length, start, 'not late yet');
    clock.t += 11 * 60_000;
    await alerts.round();
    assert.deepEqual(subjects(start), ['2 run(s) of flow slow not finished 10 min after their event']);
    for (const id of ids) await store.cancelRun(id);
    await alerts.round();
    assert.deepEqual(subjects(start + 1), ['Resolved: 2 run(s) of flow slow not finished 10 min after their event']);
  } finally {
    await close();
  }
});

test('a poller whose last success is older than 5 intervals raises an alert, resolved when it advances again', async () => {
  const poller: PollerHealth = { name: 'poll:shop:orders', active: true, lastPollAt: Date.now(), lastSuccessAt: Date.now(), lastError: null, intervalMs: 10_000 };
  const { alerts, clock, close } = await setup(cfg(), {}, () => [poller]);
  const start = smtp.mails.length;
  try {
    await alerts.round();
    clock.t += 60_000;
    poller.lastPollAt = clock.t;
    poller.lastError = 'GET /api/orders answered 503';
    await alerts.round();
    assert.match(subjects(start)[0] ?? '', /^Poller poll:shop:orders has not advanced since /);
    assert.match(smtp.mails.at(-1)?.text ?? '', /answered 503/);
    poller.lastSuccessAt = clock.t;
    await alerts.round();
    assert.match(subjects(start + 1)[0] ?? '', /^Resolved: Poller poll:shop:orders/);
  } finally {
    await close();
  }
});

test('five failed attempts in a row against one connection raise an alert, resolved by the next success', async () => {
  const { store, engine, alerts, close } = await setup(cfg(), { connectionFailures: 5 });
  const erp = { down: true };
  engine.addConnector(
    defineConnector<{ erp: typeof erp }>({
      name: 'flaky',
      description: 'down on demand',
      createClient: () => ({ erp }),
      actions: { ping: { description: 'ping', write: false, run: async (ctx) => { if (ctx.client.erp.down) throw new TransientError('T_DOWN', 'connect ECONNREFUSED'); return { ok: true }; } } },
      triggers: {},
    }),
  );
  engine.registry.addConnection({ name: 'erp', connector: 'flaky', settings: {} });
  const start = smtp.mails.length;
  try {
    await alerts.round();
    await engine.addFlow(loaded({ id: 'pinger', trigger: { connection: 'shop', event: 'ping' }, steps: [{ id: 'ping', kind: 'action', connection: 'erp', action: 'ping', retry: { maxAttempts: 5, initialDelayMs: 5, maxDelayMs: 10, jitter: 0 } }] } as unknown as FlowDefinition));
    engine.startWorkers(1, { pollMs: 20 });
    const first = (await engine.ingress.ingest('shop', { type: 'ping', dedupeKey: 'p1', entityKey: 'p:1', payload: {} })).runIds[0]!;
    await waitFor('run dead', async () => (await store.getRun(first))?.status === 'dead');
    await alerts.round();
    const got = subjects(start);
    assert.ok(got.includes('Connection erp failed 5 times in a row'), got.join(' | '));
    erp.down = false;
    const second = (await engine.ingress.ingest('shop', { type: 'ping', dedupeKey: 'p2', entityKey: 'p:2', payload: {} })).runIds[0]!;
    await waitFor('run ok', async () => (await store.getRun(second))?.status === 'succeeded');
    await alerts.round();
    assert.ok(subjects(start).includes('Resolved: Connection erp failed 5 times in a row'));
  } finally {
    await close();
  }
});

test('quiet hours defer non-urgent alerts (stored, not dropped) and send them when the hours end; urgent ones go at once', async () => {
  const quiet = { start: '22:00', end: '07:00', timeZone: 'Europe/Madrid' };
  const store = await freshStore('sqlite');
  const night = Date.parse('2026-11-27T23:30:00+01:00');
  const clock = { t: night };
  const config = cfg({ quietHours: quiet, rules: [{ event: 'alert.poller_stale', channel: 'email', to: ['role:ops'] }, { event: 'alert.run_dead', channel: 'email', to: ['role:ops'], urgent: true }] });
  const notifier = createNotifier(config, { db: store.db, log: capturingLogger(), env: ENV, now: () => clock.t });
  const start = smtp.mails.length;
  try {
    const d1 = await notifier.dispatch('alert.poller_stale', { alert: { title: 'Poller stale' } }, 'q1');
    assert.equal(d1[0]?.status, 'suppressed');
    assert.match(d1[0]?.error ?? '', /deferred by quiet hours until 2026-11-28T06:00:00.000Z/);
    await notifier.dispatch('alert.run_dead', { flowId: 'f', stepId: 's', reason: 'exhausted', error: { code: 'X', message: 'boom' }, alert: { count: 1 } }, 'q2');
    assert.deepEqual(subjects(start), ['Failed: flow f at step s (1 run(s), exhausted)']);
    assert.equal(await notifier.flushDeferred(), 0, 'still night');
    const rows = await listNotifications(store.db, {});
    assert.equal(rows.find((r) => r.template === 'alert')?.status, 'deferred');
    clock.t = Date.parse('2026-11-28T07:00:00+01:00');
    assert.equal(await notifier.flushDeferred(), 1);
    assert.deepEqual(subjects(start + 1), ['Poller stale']);
    assert.equal((await listNotifications(store.db, {})).find((r) => r.template === 'alert')?.status, 'sent');
  } finally {
    notifier.close();
    await store.close();
  }
});

test('a started manager woken by the engine sends the alert of a blocked run within a second, and stops cleanly', async () => {
  const { store, engine, alerts, close } = await setup(cfg(), { intervalMs: 60_000 });
  const start = smtp.mails.length;
  try {
    await engine.addFlow(loaded({ id: 'strict', trigger: { connection: 'shop', event: 'order.confirmed' }, steps: [{ id: 'check', kind: 'validate', rules: [{ condition: { '!!': [{ var: 'event.payload.ref' }] }, code: 'NO_REF', message: 'the order has no reference', onFail: 'block' }] }] } as unknown as FlowDefinition));
    engine.onEngineEvent(() => alerts.wake());
    alerts.start();
    engine.startWorkers(1, { pollMs: 20 });
    const { runIds } = await engine.ingress.ingest('shop', { type: 'order.confirmed', dedupeKey: 'w1', entityKey: 'shop:order:w1', payload: {} });
    await waitFor('run blocked', async () => (await store.getRun(runIds[0]!))?.status === 'blocked');
    // The interval is 60 s: a mail within 5 s means the engine's event woke the manager.
    await waitFor('alert mail', async () => smtp.mails.length > start, 5_000);
    assert.match(subjects(start)[0] ?? '', /^Blocked: flow strict at step check/);
  } finally {
    await alerts.stop();
    await close();
  }
});

test('an event whose rule cannot be sent for a configuration reason is logged and skipped: later alerts still go out', async () => {
  const config = cfg({ rules: [{ event: 'approval.*', channel: 'sms', to: ['role:approvers'] }, { event: 'alert.*', channel: 'email', to: ['role:ops'], urgent: true }] });
  const { engine, alerts, close } = await setup(config, {});
  const start = smtp.mails.length;
  try {
    await engine.emit('approval.requested', 'run:1', { runId: 1, flowId: 'f', stepId: 'a', message: 'm' }, 'approval:1:a:requested');
    await engine.emit('alert.run_dead', 'run:2', { runId: 2, flowId: 'f', stepId: 's', reason: 'bug', error: { code: 'OF_BUG_UNCAUGHT', message: 'boom' } }, 'alert:run:2:dead');
    const r = await alerts.round();
    assert.equal(r.events, 2);
    assert.match(r.errors[0] ?? '', /OF_NOTIFY_CHANNEL_NOT_CONFIGURED/);
    assert.equal(subjects(start)[0], 'Failed: flow f at step s (1 run(s), bug)', '(resolved right after: no run 2 exists in this store)');
    assert.equal((await alerts.round()).errors.length, 0, 'the failed event is not retried every round');
  } finally {
    await close();
  }
});

test('a rule naming a role that is not configured is refused when the notifier is created', () => {
  assert.throws(() => createNotifier(cfg({ rules: [{ event: 'alert.*', channel: 'email', to: ['role:opz'] }] }), { db: undefined as never, log: capturingLogger(), env: ENV }), /rules\[0\]\.to names role 'opz'/);
});
