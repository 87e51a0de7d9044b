import { sql, type Kysely } from 'kysely';

/**
 * Blocked runs now carry the time of their next scheduled re-check in run_at, or year 9999 when only a
 * person can move them on. Runs blocked before this existed wait for a person: give them year 9999.
 */
export function blockedRunAtMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`UPDATE runs SET run_at = 253402300799000 WHERE status = 'blocked'`.execute(db);
    },
  };
}
