import { migrate, openDatabase, DEFAULT_SQLITE_URL } from './db.ts';
import { SqlStore } from './sql-store.ts';

export type { Store } from './port.ts';
export * from './port.ts';
export { SqlStore } from './sql-store.ts';
export { openDatabase, migrate, DEFAULT_SQLITE_URL } from './db.ts';

/** Opens the store at `url` (SQLite by default) and applies pending migrations. */
export async function openStore(url: string = process.env.DATABASE_URL ?? DEFAULT_SQLITE_URL, opts: { listen?: boolean } = {}): Promise<SqlStore> {
  const database = await openDatabase(url);
  await migrate(database);
  const store = await SqlStore.open(database, opts);
  await store.maintain();
  return store;
}
