/**
 * The alerts table: at most one row per cause. Raising an open cause again only counts it; raising a
 * resolved one opens a new episode (so its notifications get new idempotency keys).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Tables } from '../../store/schema.ts';
import { notifyDb, type NotifyDb } from '../records.ts';
import type { AlertsTable } from '../types.ts';

/** A problem with a stable key: the same key means the same problem (one alert, however often it is seen). */
export interface Cause {
  key: string;
  /** The alert event type, e.g. `alert.run_blocked`. */
  kind: string;
  title: string;
  detail?: string | undefined;
  data: Record<string, unknown>;
  /** For periodic checks: how many things are affected now (replaces the count instead of adding one). */
  count?: number | undefined;
}

export interface AlertRow {
  id: number;
  causeKey: string;
  kind: string;
  status: 'open' | 'resolved';
  data: Record<string, unknown>;
  episode: number;
  count: number;
  firstSeen: number;
  lastSeen: number;
  lastNotified: number | null;
  reminders: number;
  resolvedAt: number | null;
}

function fromRow(r: Selectable<AlertsTable>): AlertRow {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: Number(r.id),
    causeKey: r.cause_key,
    kind: r.kind,
    status: r.status,
    data: JSON.parse(r.data) as Record<string, unknown>,
    episode: Number(r.episode),
    count: Number(r.count),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    lastNotified: n(r.last_notified),
    reminders: Number(r.reminders),
    resolvedAt: n(r.resolved_at),
  };
}

const payload = (c: Cause) => JSON.stringify({ ...c.data, title: c.title, detail: c.detail ?? null });

/** Records that `cause` is present now. Returns the alert and whether it was (re)opened by this call. */
/** `times`: how many sightings this call stands for (a batch of events of one cause is one call). */
export async function raiseCause(db: NotifyDb, cause: Cause, now: number, times = 1): Promise<{ alert: AlertRow; opened: boolean }> {
  const existing = await db.selectFrom('alerts').selectAll().where('cause_key', '=', cause.key).executeTakeFirst();
  if (!existing) {
    await db
      .insertInto('alerts')
      .values({ cause_key: cause.key, kind: cause.kind, status: 'open', data: payload(cause), episode: 1, count: cause.count ?? times, first_seen: now, last_seen: now, last_notified: null, reminders: 0, resolved_at: null, updated_at: now })
      .onConflict((oc) => oc.column('cause_key').doNothing())
      .execute();
    return { alert: fromRow(await db.selectFrom('alerts').selectAll().where('cause_key', '=', cause.key).executeTakeFirstOrThrow()), opened: true };
  }
  const reopen = existing.status === 'resolved';
  await db
    .updateTable('alerts')
    .set((eb) => ({
      status: 'open',
      data: payload(cause),
      last_seen: now,
      updated_at: now,
      count: reopen ? (cause.count ?? times) : cause.count !== undefined ? cause.count : eb('count', '+', times),
      ...(reopen ? { episode: eb('episode', '+', 1), first_seen: now, last_notified: null, reminders: 0, resolved_at: null } : {}),
    }))
    .where('id', '=', existing.id)
    .execute();
  return { alert: fromRow(await db.selectFrom('alerts').selectAll().where('id', '=', existing.id).executeTakeFirstOrThrow()), opened: reopen };
}

export async function openAlerts(db: NotifyDb): Promise<AlertRow[]> {
  return (await db.selectFrom('alerts').selectAll().where('status', '=', 'open').orderBy('id').execute()).map(fromRow);
}

/** Alerts, newest first (for the API). */
export async function listAlerts(db: Kysely<Tables>, filter: { status?: 'open' | 'resolved' | undefined; limit?: number | undefined } = {}): Promise<AlertRow[]> {
  let q = notifyDb(db).selectFrom('alerts').selectAll();
  if (filter.status) q = q.where('status', '=', filter.status);
  return (await q.orderBy('id', 'desc').limit(filter.limit ?? 200).execute()).map(fromRow);
}

export async function markNotified(db: NotifyDb, id: number, now: number, reminder: boolean): Promise<void> {
  await db
    .updateTable('alerts')
    .set((eb) => ({ last_notified: now, updated_at: now, ...(reminder ? { reminders: eb('reminders', '+', 1) } : {}) }))
    .where('id', '=', id)
    .execute();
}

export async function markResolved(db: NotifyDb, id: number, now: number): Promise<void> {
  await db.updateTable('alerts').set({ status: 'resolved', resolved_at: now, updated_at: now }).where('id', '=', id).where('status', '=', 'open').execute();
}
