/**
 * "A connection failing": K failed attempts in a row against one connection. The check reads the run
 * journal (step_attempts) forward from a durable cursor, maps each action attempt to the connection its
 * step names, and keeps the current streak of failures per connection in the cursor's value.
 *
 * Attempts get their id when they start and finish later, so the scan stops at the first attempt that
 * is still `started` (unless it is older than STUCK_MS: its worker died, it will never finish).
 */
import type { Kysely } from 'kysely';
import type { Store } from '../../store/port.ts';
import type { Tables } from '../../store/schema.ts';
import type { CheckResult } from './checks.ts';

export const ATTEMPTS_CURSOR = 'notify:alerts:attempts';
const STUCK_MS = 10 * 60_000;
const BATCH = 1_000;

interface Streak {
  failures: number;
  lastError: string | null;
  lastAt: number;
}

interface State {
  lastId: number;
  streaks: Record<string, Streak>;
}

type CursorStore = Pick<Store, 'getCursor' | 'setCursor'>;

export class ConnectionHealth {
  /** `flowId@version` → step id → connection (action steps only). */
  private readonly stepConnections = new Map<string, Map<string, string>>();

  constructor(
    private readonly db: Kysely<Tables>,
    private readonly store: CursorStore,
  ) {}

  async check(threshold: number): Promise<CheckResult> {
    const state = await this.load();
    for (;;) {
      const rows = await this.db
        .selectFrom('step_attempts as a')
        .innerJoin('runs as r', 'r.id', 'a.run_id')
        .select(['a.id', 'a.step_id', 'a.status', 'a.error', 'a.started_at', 'r.flow_id', 'r.flow_version'])
        .where('a.id', '>', state.lastId)
        .orderBy('a.id')
        .limit(BATCH)
        .execute();
      let stop = false;
      for (const r of rows) {
        if (r.status === 'started' && Date.now() - Number(r.started_at) < STUCK_MS) {
          stop = true;
          break;
        }
        state.lastId = Number(r.id);
        const conn = await this.connectionOf(r.flow_id, r.flow_version, r.step_id);
        if (!conn) continue;
        if (r.status === 'failed') {
          const s = state.streaks[conn] ?? { failures: 0, lastError: null, lastAt: 0 };
          s.failures += 1;
          s.lastError = errorText(r.error);
          s.lastAt = Number(r.started_at);
          state.streaks[conn] = s;
        } else if (r.status === 'succeeded' || r.status === 'reconciled') {
          delete state.streaks[conn];
        }
      }
      if (stop || rows.length < BATCH) break;
    }
    await this.store.setCursor(ATTEMPTS_CURSOR, JSON.stringify(state));
    const kind = 'alert.connection_failing';
    return {
      kind,
      causes: Object.entries(state.streaks)
        .filter(([, s]) => s.failures >= threshold)
        .map(([conn, s]) => ({
          key: `${kind}:${conn}`,
          kind,
          title: `Connection ${conn} failed ${s.failures} times in a row`,
          detail: s.lastError ? `last error: ${s.lastError}` : undefined,
          data: { connection: conn, failures: s.failures, lastError: s.lastError },
          count: s.failures,
        })),
    };
  }

  private async load(): Promise<State> {
    const raw = await this.store.getCursor(ATTEMPTS_CURSOR);
    if (raw) return JSON.parse(raw) as State;
    // First run: start from the end of the journal; old history says nothing about the connection now.
    const last = await this.db.selectFrom('step_attempts').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
    return { lastId: Number(last?.max ?? 0), streaks: {} };
  }

  private async connectionOf(flowId: string, version: string, stepId: string): Promise<string | undefined> {
    const key = `${flowId}@${version}`;
    let map = this.stepConnections.get(key);
    if (!map) {
      map = new Map();
      const row = await this.db.selectFrom('flow_versions').select('definition').where('flow_id', '=', flowId).where('version', '=', version).executeTakeFirst();
      const steps = row ? ((JSON.parse(row.definition) as { steps?: Array<{ id?: string; kind?: string; connection?: string }> }).steps ?? []) : [];
      for (const s of steps) if (s.kind === 'action' && s.id && s.connection) map.set(s.id, s.connection);
      this.stepConnections.set(key, map);
    }
    return map.get(stepId);
  }
}

function errorText(raw: string | null): string | null {
  if (!raw) return null;
  try {
    const e = JSON.parse(raw) as { code?: string; message?: string };
    return `${e.code ?? ''}: ${e.message ?? ''}`.slice(0, 300);
  } catch {
    return raw.slice(0, 300);
  }
}
