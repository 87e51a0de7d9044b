/**
 * Kysely's SQLite dialect with one change: a transaction begins with `BEGIN IMMEDIATE`, which takes the
 * database's write lock at once, waiting for it under the connection's busy_timeout.
 *
 * A plain (deferred) `BEGIN` takes the lock only at the transaction's first write. In WAL mode a
 * transaction that has read, and that another process's commit has overtaken since, can then never get
 * it: SQLite fails the write at once with SQLITE_BUSY ("database is locked"), without waiting, since
 * the snapshot it read from is stale. The claim reads the ready runs, then takes them (and a group commit
 * may begin with a claim), so a worker process beside `orderflow start` on the same file failed claims
 * that way. In one process nothing changes: Kysely serialises its one connection anyway.
 */
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}
