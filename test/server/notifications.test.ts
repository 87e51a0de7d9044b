import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/core/log.ts';
import { buildServer } from '../../src/server/app.ts';
import type { SqlStore } from '../../src/store/index.ts';
import { backends } from '../helpers/stores.ts';
import { startServer } from './harness.ts';

for (const backend of await backends()) {
  test(`${backend}: a run's notifications and the alerts are served from the notification tables`, async () => {
    const h = await startServer(backend, { workers: false });
    const db = (h.store as SqlStore).db;
    const app = await buildServer({ engine: h.engine, log: silentLogger, db });
    try {
      await db
        .insertInto('notifications' as never)
        .values({ idempotency_key: 'k1', recipient_hash: 'h1', run_id: 7, step_id: 'tell', channel: 'email', recipient: 'sales@example.com', template: 'credit-blocked', status: 'sent', created_at: Date.now(), updated_at: Date.now() } as never)
        .execute();
      const res = await app.inject({ method: 'GET', url: '/api/runs/7/notifications' });
      assert.equal(res.statusCode, 200);
      const body = res.json() as { notifications: Array<Record<string, unknown>> };
      assert.equal(body.notifications.length, 1);
      assert.equal(body.notifications[0]?.status, 'sent');
      const alerts = await app.inject({ method: 'GET', url: '/api/alerts?status=open' });
      assert.equal(alerts.statusCode, 200);
      assert.deepEqual(alerts.json(), { alerts: [] });
      const bad = await app.inject({ method: 'GET', url: '/api/alerts?status=closed' });
      assert.equal(bad.statusCode, 400);
      assert.match((bad.json() as { error: { message: string } }).error.message, /status/);
    } finally {
      await app.close();
      await h.close();
    }
  });
}
