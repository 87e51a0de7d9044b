import type { Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

/**
 * Notifications (one row per message and recipient: what was sent or failed, for which run) and
 * alerts (one row per cause: open or resolved, with counters for throttling and reminders).
 */
export function notificationsMigration(dialect: Dialect) {
  const idType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const ms = 'bigint';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('notifications')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        /** sha256 of channel + the real recipient: unique per key without storing a phone number in clear. */
        .addColumn('recipient_hash', 'text', (c) => c.notNull())
        .addColumn('run_id', ms)
        .addColumn('step_id', 'text')
        .addColumn('flow_id', 'text')
        .addColumn('alert_id', ms)
        .addColumn('event_type', 'text')
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('template', 'text', (c) => c.notNull())
        .addColumn('language', 'text')
        .addColumn('subject', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('provider_id', 'text')
        .addColumn('provider_answer', 'text')
        .addColumn('error', 'text')
        .addColumn('deliver_after', ms)
        .addColumn('message', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .addColumn('sent_at', ms)
        .execute();
      await db.schema.createIndex('notifications_key').unique().on('notifications').columns(['idempotency_key', 'recipient_hash']).execute();
      await db.schema.createIndex('notifications_run').on('notifications').columns(['run_id', 'id']).execute();
      await db.schema.createIndex('notifications_deferred').on('notifications').columns(['status', 'deliver_after']).execute();

      await db.schema
        .createTable('alerts')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('cause_key', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('episode', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('first_seen', ms, (c) => c.notNull())
        .addColumn('last_seen', ms, (c) => c.notNull())
        .addColumn('last_notified', ms)
        .addColumn('reminders', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('resolved_at', ms)
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alerts_status').on('alerts').columns(['status', 'kind']).execute();
    },
    async down(): Promise<void> {
      // Forward-only: a downgrade restores a backup instead.
    },
  };
}
