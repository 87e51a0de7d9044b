/**
 * Stores for tests: a fresh SQLite file, or a fresh PostgreSQL schema on 127.0.0.1:5432, per call.
 * PostgreSQL suites are skipped only when no server answers and ORDERFLOW_REQUIRE_PG is not set (CI sets it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type SqlStore } from '../../src/store/index.ts';

export const PG_BASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgAvailable: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_BASE_URL, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.end();
      return true;
    } catch (err) {
      if (process.env.ORDERFLOW_REQUIRE_PG === '1') throw new Error(`PostgreSQL is required (ORDERFLOW_REQUIRE_PG=1) but ${PG_BASE_URL} did not answer: ${String(err)}`);
      return false;
    }
  })();
  return pgAvailable;
}

export function tempDir(prefix = 'orderflow-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function sqliteUrl(): string {
  return `sqlite:${path.join(tempDir(), 'test.db')}`;
}

/** A URL to a fresh, empty PostgreSQL schema. */
export function postgresUrl(): string {
  // Under scripts/test.mjs the run's tag is in the name: the runner drops what its run left behind.
  const run = /^[a-z0-9]{1,12}$/.test(process.env.ORDERFLOW_TEST_RUN ?? '') ? `${process.env.ORDERFLOW_TEST_RUN}_` : '';
  const schema = `t_${run}${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const u = new URL(PG_BASE_URL);
  u.searchParams.set('schema', schema);
  return u.toString();
}

export type Backend = 'sqlite' | 'postgres';

export async function freshStoreUrl(backend: Backend): Promise<string> {
  return backend === 'sqlite' ? sqliteUrl() : postgresUrl();
}

export async function freshStore(backend: Backend): Promise<SqlStore> {
  return openStore(await freshStoreUrl(backend));
}

/** The backends to run a contract suite on: SQLite always, PostgreSQL when it answers. */
export async function backends(): Promise<Backend[]> {
  return (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];
}

/**
 * Drops a test's PostgreSQL schema, so that test schemas do not pile up in the shared database
 * (migrations look for their bookkeeping tables by name in their own schema).
 */
export async function dropSchema(url: string): Promise<void> {
  if (!url.startsWith('postgres')) return;
  const u = new URL(url);
  const schema = u.searchParams.get('schema');
  if (!schema || !/^[a-z_][a-z0-9_]*$/.test(schema)) return;
  u.searchParams.delete('schema');
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}
