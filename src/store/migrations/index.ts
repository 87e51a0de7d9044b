import type { Migration } from 'kysely';
import type { Dialect } from '../db.ts';
import { engineMigration } from './0001_engine.ts';
import { notificationsMigration } from './0002_notifications.ts';
import { blockedRunAtMigration } from './0003_blocked_run_at.ts';

/**
 * Every migration, in order. Names sort lexically: keep the numeric prefix. Each one receives the dialect
 * so that the few type differences (serial ids) stay inside the migration and the schema stays one.
 */
export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_engine': engineMigration(dialect),
    '0002_notifications': notificationsMigration(dialect),
    '0003_blocked_run_at': blockedRunAtMigration(),
  };
}
