import type { Kysely } from 'kysely';
import type { Dialect } from '../db.ts';

/** The engine's tables: events, runs (the queue), the journal, flow versions, cursors, leases, signals, xrefs. */
export function engineMigration(dialect: Dialect) {
  const idType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const ms = 'bigint';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('events')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('entity_key', 'text', (c) => c.notNull())
        .addColumn('version', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('occurred_at', ms)
        .addColumn('received_at', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_entity').on('events').columns(['entity_key', 'id']).execute();

      await db.schema
        .createTable('runs')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('flow_id', 'text', (c) => c.notNull())
        .addColumn('flow_version', 'text', (c) => c.notNull())
        .addColumn('event_id', ms, (c) => c.notNull())
        .addColumn('entity_key', 'text', (c) => c.notNull())
        .addColumn('lane_seq', ms, (c) => c.notNull())
        .addColumn('event_version', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('current_step', 'text')
        .addColumn('step_attempt', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('context', 'text', (c) => c.notNull())
        .addColumn('run_at', ms, (c) => c.notNull())
        .addColumn('locked_by', 'text')
        .addColumn('locked_until', ms)
        .addColumn('last_error', 'text')
        .addColumn('waiting_for', 'text')
        .addColumn('replay_of', ms)
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .addColumn('finished_at', ms)
        .execute();
      await db.schema.createIndex('runs_ready').on('runs').columns(['status', 'run_at']).execute();
      await db.schema.createIndex('runs_lane').on('runs').columns(['entity_key', 'lane_seq']).execute();
      await db.schema.createIndex('runs_flow').on('runs').columns(['flow_id', 'status']).execute();
      await db.schema.createIndex('runs_event').on('runs').columns(['event_id']).execute();

      await db.schema
        .createTable('step_attempts')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('run_id', ms, (c) => c.notNull())
        .addColumn('step_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('input', 'text')
        .addColumn('output', 'text')
        .addColumn('error', 'text')
        .addColumn('started_at', ms, (c) => c.notNull())
        .addColumn('finished_at', ms)
        .addColumn('duration_ms', 'integer')
        .execute();
      await db.schema.createIndex('attempts_run').on('step_attempts').columns(['run_id', 'id']).execute();

      await db.schema
        .createTable('flow_versions')
        .addColumn('flow_id', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('flow_versions_pk', ['flow_id', 'version'])
        .execute();

      await db.schema
        .createTable('cursors')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text')
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('signals')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('run_id', ms, (c) => c.notNull())
        .addColumn('step_id', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('consumed_at', ms)
        .execute();
      await db.schema.createIndex('signals_run').on('signals').columns(['run_id', 'step_id']).execute();

      await db.schema
        .createTable('entity_versions')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('xrefs')
        .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('left_system', 'text', (c) => c.notNull())
        .addColumn('left_id', 'text', (c) => c.notNull())
        .addColumn('right_system', 'text', (c) => c.notNull())
        .addColumn('right_id', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('xrefs_left').unique().on('xrefs').columns(['entity', 'left_system', 'left_id', 'right_system']).execute();
      await db.schema.createIndex('xrefs_right').on('xrefs').columns(['entity', 'right_system', 'right_id']).execute();
    },
    async down(): Promise<void> {
      // Forward-only: a downgrade restores a backup instead.
    },
  };
}
