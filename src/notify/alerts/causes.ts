/**
 * Which cause an engine alert event belongs to, and whether that cause still holds.
 *
 * A blocked or dead run belongs to the cause (flow, step, error code): a thousand orders blocked by the
 * same missing payment-method mapping are one alert. The cause clears when no run of that flow is
 * blocked (dead) at that step with that code any more: they were retried and succeeded, or cancelled.
 */
import type { Kysely } from 'kysely';
import type { Tables } from '../../store/schema.ts';
import type { Cause } from './alert-store.ts';

export const RUN_BLOCKED = 'alert.run_blocked';
export const RUN_DEAD = 'alert.run_dead';

interface RunAlertPayload {
  runId?: number;
  flowId?: string;
  stepId?: string;
  entityKey?: string;
  reason?: string;
  error?: { code?: string; kind?: string; message?: string };
}

/** The cause of an `alert.*` engine event; undefined for events that are not about a cause. */
export function causeOfEvent(type: string, payload: Record<string, unknown>): Cause | undefined {
  if (type !== RUN_BLOCKED && type !== RUN_DEAD) {
    if (!type.startsWith('alert.')) return undefined;
    const key = typeof payload.causeKey === 'string' ? payload.causeKey : `${type}:${typeof payload.entityKey === 'string' ? payload.entityKey : 'any'}`;
    return { key, kind: type, title: typeof payload.title === 'string' ? payload.title : type, data: payload };
  }
  const p = payload as RunAlertPayload;
  const code = p.error?.code ?? 'unknown';
  const what = type === RUN_BLOCKED ? 'blocked' : 'failed';
  return {
    key: `${type}:${p.flowId ?? '?'}:${p.stepId ?? '?'}:${code}`,
    kind: type,
    title: `Runs of flow ${p.flowId ?? '?'} ${what} at step ${p.stepId ?? '?'} (${code})`,
    detail: p.error?.message,
    data: payload,
  };
}

/**
 * For run alerts: whether some run still shows the cause. Other kinds are decided by their periodic
 * check, or stay open until a person closes them (returns undefined: unknown here).
 */
export async function runCauseHolds(db: Kysely<Tables>, kind: string, data: Record<string, unknown>): Promise<boolean | undefined> {
  if (kind !== RUN_BLOCKED && kind !== RUN_DEAD) return undefined;
  const p = data as RunAlertPayload;
  if (!p.flowId || !p.stepId) return undefined;
  const code = p.error?.code ?? 'unknown';
  const rows = await db
    .selectFrom('runs')
    .select(['last_error'])
    .where('status', '=', kind === RUN_BLOCKED ? 'blocked' : 'dead')
    .where('flow_id', '=', p.flowId)
    .limit(5_000)
    .execute();
  // The step that failed is in last_error: a validate step with recheckFrom leaves current_step earlier.
  return rows.some((r) => {
    try {
      const e = JSON.parse(r.last_error ?? '{}') as { code?: string; step?: string };
      return (e.code ?? 'unknown') === code && e.step === p.stepId;
    } catch {
      return false;
    }
  });
}
