/**
 * Periodic checks: each looks at the store (or the pollers) and answers the causes present now. A cause
 * of the check's kind that is open but no longer present is resolved by the manager.
 */
import type { Kysely } from 'kysely';
import type { Tables } from '../../store/schema.ts';
import type { Cause } from './alert-store.ts';

export interface CheckResult {
  kind: string;
  causes: Cause[];
}

const SAMPLE = 20;
const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;

/** Approvals waiting longer than `afterMs`, one cause per flow step. */
export async function approvalsPending(db: Kysely<Tables>, now: number, afterMs: number): Promise<CheckResult> {
  const rows = await db.selectFrom('runs').select(['id', 'flow_id', 'current_step', 'context', 'entity_key']).where('status', '=', 'waiting').where('waiting_for', 'like', 'signal:%').limit(10_000).execute();
  const groups = new Map<string, { flowId: string; stepId: string; runIds: number[]; oldest: number }>();
  for (const r of rows) {
    const step = r.current_step ?? '?';
    const vars = (JSON.parse(r.context) as { vars?: Record<string, { requestedAt?: number }> }).vars ?? {};
    const requestedAt = vars[`approval:${step}`]?.requestedAt;
    if (typeof requestedAt !== 'number' || now - requestedAt < afterMs) continue;
    const key = `${r.flow_id}:${step}`;
    const g = groups.get(key) ?? { flowId: r.flow_id, stepId: step, runIds: [], oldest: requestedAt };
    g.runIds.push(Number(r.id));
    g.oldest = Math.min(g.oldest, requestedAt);
    groups.set(key, g);
  }
  const kind = 'alert.approval_pending';
  return {
    kind,
    causes: [...groups.entries()].map(([k, g]) => ({
      key: `${kind}:${k}`,
      kind,
      title: `${g.runIds.length} approval(s) pending for more than ${minutes(afterMs)} in flow ${g.flowId} (step ${g.stepId})`,
      detail: `oldest requested at ${new Date(g.oldest).toISOString()}; runs ${g.runIds.slice(0, SAMPLE).join(', ')}`,
      data: { flowId: g.flowId, stepId: g.stepId, runIds: g.runIds.slice(0, SAMPLE), oldestRequestedAt: new Date(g.oldest).toISOString() },
      count: g.runIds.length,
    })),
  };
}

const UNFINISHED = ['queued', 'running', 'waiting', 'blocked', 'dead'] as const;

/** Runs of `flowId` still unfinished `afterMs` after they were created (their event arrived). */
export async function lateRuns(db: Kysely<Tables>, now: number, flowId: string, afterMs: number): Promise<CheckResult> {
  const rows = await db
    .selectFrom('runs')
    .select(['id', 'entity_key', 'created_at', 'status'])
    .where('flow_id', '=', flowId)
    .where('status', 'in', [...UNFINISHED])
    .where('created_at', '<', now - afterMs)
    .orderBy('id')
    .limit(10_000)
    .execute();
  const kind = 'alert.run_late';
  if (rows.length === 0) return { kind, causes: [] };
  return {
    kind,
    causes: [
      {
        key: `${kind}:${flowId}`,
        kind,
        title: `${rows.length} run(s) of flow ${flowId} not finished ${minutes(afterMs)} after their event`,
        detail: rows.slice(0, SAMPLE).map((r) => `run ${r.id} (${r.entity_key}, ${r.status})`).join('; '),
        data: { flowId, runIds: rows.slice(0, SAMPLE).map((r) => Number(r.id)), entityKeys: rows.slice(0, SAMPLE).map((r) => r.entity_key) },
        count: rows.length,
      },
    ],
  };
}

export interface PollerHealth {
  name: string;
  active: boolean;
  lastSuccessAt: number | null;
  lastPollAt: number | null;
  lastError: string | null;
  intervalMs?: number | undefined;
}

/** Pollers (held by this process) whose last success is older than factor × interval. */
export function stalePollers(statuses: PollerHealth[], now: number, factor: number, defaultIntervalMs = 60_000): CheckResult {
  const kind = 'alert.poller_stale';
  const causes: Cause[] = [];
  for (const s of statuses) {
    if (!s.active || s.lastPollAt === null) continue;
    const interval = s.intervalMs ?? defaultIntervalMs;
    const since = s.lastSuccessAt ?? s.lastPollAt;
    if (now - since <= factor * interval) continue;
    causes.push({
      key: `${kind}:${s.name}`,
      kind,
      title: `Poller ${s.name} has not advanced since ${s.lastSuccessAt === null ? 'it started' : new Date(s.lastSuccessAt).toISOString()}`,
      detail: s.lastError ? `last error: ${s.lastError}` : `no successful poll for ${minutes(now - since)} (interval ${Math.round(interval / 1000)} s)`,
      data: { poller: s.name, lastSuccessAt: s.lastSuccessAt === null ? null : new Date(s.lastSuccessAt).toISOString(), lastError: s.lastError },
    });
  }
  return { kind, causes };
}
