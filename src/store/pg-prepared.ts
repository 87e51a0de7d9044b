/**
 * PostgreSQL parses and plans an unnamed statement on every execution. For the short statements a run
 * makes that is most of their cost (a lookup by id: 0.3 ms planning, 0.02 ms executing; a step's move:
 * 2.1 ms per round trip unnamed, 0.9 ms named, measured on this project's development machine). So a
 * statement text seen a few times becomes a named prepared statement on each pooled connection: parsed
 * once per connection, its plan cached by the server.
 *
 * Bounded: at most MAX_NAMED texts are named per process (an IN list of varying length makes a new text
 * each time; those stay unnamed once the budget is spent). Statements whose best plan depends on the
 * moment's data (the claim, which walks the queue) are always planned afresh: see `plannedEachTime`. A
 * prepared statement made stale by a schema change is run again unnamed: see `isStalePlan`.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

const MAX_NAMED = 300;
/** Executions of a text before it is named: one-off statements (migrations, DDL) are never prepared. */
const NAME_AFTER = 3;

/** The claim (FOR UPDATE SKIP LOCKED) and DDL keep a fresh plan every time. */
function plannedEachTime(text: string): boolean {
  return text.includes('SKIP LOCKED') || /^\s*(CREATE|ALTER|DROP|ANALYZE|SET|BEGIN|COMMIT|ROLLBACK|LISTEN|NOTIFY|SELECT pg_)/i.test(text);
}

export class StatementNames {
  private readonly named = new Map<string, string>();
  private readonly seen = new Map<string, number>();
  private readonly retired = new Set<string>();

  /** The name to prepare `text` under, or undefined to run it unnamed. */
  nameFor(text: string): string | undefined {
    const hit = this.named.get(text);
    if (hit !== undefined) return hit;
    if (this.named.size >= MAX_NAMED || this.retired.has(text) || plannedEachTime(text)) return undefined;
    const count = (this.seen.get(text) ?? 0) + 1;
    if (count < NAME_AFTER) {
      if (this.seen.size >= 10_000) this.seen.clear();
      this.seen.set(text, count);
      return undefined;
    }
    this.seen.delete(text);
    const name = `of_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
    this.named.set(text, name);
    return name;
  }

  /** Never names `text` again in this process (its prepared form went stale). */
  retire(text: string): void {
    this.named.delete(text);
    this.retired.add(text);
  }
}

/**
 * A column added while a process runs (a newer version migrating the schema) makes PostgreSQL refuse a
 * prepared `SELECT *` whose result would change shape: 0A000 "cached plan must not change result type".
 * Nothing ran then, so the statement is run again unnamed, and is never named again in this process.
 */
function isStalePlan(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e?.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan must not change result type');
}

/** Makes every client of `pool` run frequent statements (text + parameter array) as named ones. */
export function prepareFrequentStatements(pool: pg.Pool): void {
  const names = new StatementNames();
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const [text, values] = args;
      const name = args.length === 2 && typeof text === 'string' && Array.isArray(values) ? names.nameFor(text) : undefined;
      if (name === undefined) return query(...args);
      return (query({ name, text, values }) as Promise<unknown>).catch((err: unknown) => {
        if (!isStalePlan(err)) throw err;
        names.retire(text as string);
        return query(text, values);
      });
    };
  });
}
