/**
 * Opens the database behind the store: SQLite (embedded default, a WAL file under ./.orderflow/) or
 * PostgreSQL (`postgres://…`). Both are reached through Kysely with one schema (./schema.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, type MigrationProvider, type SqliteDatabase } from 'kysely';
import { UserError } from '../core/errors.ts';
import type { Tables } from './schema.ts';
import { migrationsFor } from './migrations/index.ts';
import { prepareFrequentStatements } from './pg-prepared.ts';
import { ImmediateSqliteDialect } from './sqlite-dialect.ts';

export type Dialect = 'sqlite' | 'postgres';

/**
 * better-sqlite3 12 is the last line that runs on Node 20, but on Node 24 its statement destructor can
 * run after Node has torn its environment down and abort the process at exit. 13 (same API, Node-API
 * build) fixes that and needs Node 22, so each Node gets the line that works on it.
 */
const SQLITE_MODULE = createRequire(import.meta.url).resolve(Number(process.versions.node.split('.')[0]) >= 22 ? 'better-sqlite3-node22' : 'better-sqlite3');
const SQLite = createRequire(import.meta.url)(SQLITE_MODULE) as typeof BetterSqlite3;

export interface Database {
  db: Kysely<Tables>;
  dialect: Dialect;
  /** For PostgreSQL: the pool (LISTEN/NOTIFY needs its own client). */
  pgPool?: pg.Pool | undefined;
  /** For PostgreSQL: the schema used (search_path), when one was asked for. */
  pgSchema?: string | undefined;
  /**
   * For SQLite: a number that changes whenever another connection (another process) commits
   * (`PRAGMA data_version`). Reading it costs a few microseconds and no I/O in WAL mode.
   */
  sqliteDataVersion?: (() => number) | undefined;
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_SQLITE_URL = 'sqlite:./.orderflow/orderflow.db';

/** `sqlite:PATH`, `sqlite::memory:`, a plain file path, or `postgres://…[?schema=NAME]`. */
export async function openDatabase(url: string = DEFAULT_SQLITE_URL): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  return openSqlite(url);
}

function openSqlite(url: string): Database {
  const file = url.replace(/^sqlite:/, '');
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL survives a process crash (kill -9); only an OS crash may lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Checkpoints (copying the WAL back into the database file) run on a thread of their own, so the commit
  // that crosses the threshold no longer stalls the event loop for 10–20 ms (it was the p99 of webhook
  // ingest). The connection's own automatic checkpoint stays as a safety net, at a far larger WAL.
  const checkpointer = file === ':memory:' ? undefined : startCheckpointer(path.resolve(file));
  sqlite.pragma(`wal_autocheckpoint = ${checkpointer ? 25_000 : 4000}`);
  const db = new Kysely<Tables>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
  const sqliteDataVersion = () => Number(sqlite.pragma('data_version', { simple: true }));
  const close = async () => {
    await checkpointer?.stop();
    await db.destroy();
  };
  return { db, dialect: 'sqlite', url, sqliteDataVersion, close };
}

/**
 * A passive checkpoint every 200 ms from a second connection on a worker thread: it copies what it can and
 * never blocks the writer (WAL mode lets a checkpoint and a writer run side by side).
 *
 * The thread must never be stopped while it loads the SQLite addon: on Node 24 that aborts the whole
 * process (seen in CI: FATAL napi_get_last_error_info). So it holds the process open until it says it is
 * ready, and `stop` waits for that before terminating it.
 */
function startCheckpointer(file: string): { stop(): Promise<void> } {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const Database = require(workerData.module);
    const db = new Database(workerData.file);
    db.pragma('busy_timeout = 100');
    setInterval(() => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} }, 200);
    parentPort.postMessage('ready');
  `;
  const worker = new Worker(code, { eval: true, workerData: { module: SQLITE_MODULE, file } });
  // A checkpointer that cannot start (the file vanished) leaves the safety net in charge.
  const settled = new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  });
  void settled.then(() => worker.unref());
  return {
    async stop() {
      await settled;
      await worker.terminate();
    },
  };
}

/**
 * Kysely prepares every query anew; preparing costs about as much as running our small statements. The
 * store issues a few dozen distinct SQL texts, so prepared statements are kept by text (bounded, in case
 * some caller builds texts that vary). Safe: Kysely runs one statement at a time on its one connection.
 */
function withStatementCache(sqlite: BetterSqlite3.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(text: string) {
      let stmt = cache.get(text);
      if (!stmt) {
        if (cache.size >= max) cache.clear();
        stmt = sqlite.prepare(text);
        cache.set(text, stmt);
      }
      return stmt;
    },
    close: () => sqlite.close(),
  };
}

async function openPostgres(url: string): Promise<Database> {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new UserError('OF_DB_BAD_SCHEMA', `DATABASE_URL schema '${schema}' is not a plain lower-case identifier; use letters, digits and _`);
  }
  const pool = new pg.Pool({
    connectionString: u.toString(),
    max: Number(process.env.ORDERFLOW_PG_POOL ?? 10),
    options: schema ? `-c search_path=${schema}` : undefined,
    // int8 (ids, epoch ms) as JS numbers: all our values stay far below 2^53.
    types: { getTypeParser: ((oid: number, format?: string) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
  });
  if (schema) {
    const c = await pool.connect();
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      c.release();
    }
  }
  prepareFrequentStatements(pool);
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', pgPool: pool, pgSchema: schema, url, close: () => db.destroy() };
}

/** Applies every pending migration. Safe to run from several processes at once on PostgreSQL (advisory lock). */
export async function migrate(database: Database): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(database.dialect) };
  // Kysely looks its bookkeeping tables up across all schemas: name ours, or a sibling schema's tables
  // would be taken for them.
  const migrator = new Migrator({ db: database.db, provider, ...(database.pgSchema ? { migrationTableSchema: database.pgSchema } : {}) });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    // Kysely lists the tables of every schema to find its own; a schema dropped by another client at that
    // moment fails the listing (3F000: invalid schema name, or 42P01: one of its tables is gone, seen in CI).
    // Nothing was applied then: try again.
    if (['3F000', '42P01'].includes(String((error as { code?: string }).code)) && attempt < 5) continue;
    throw error instanceof Error ? error : new Error(String(error));
  }
}
