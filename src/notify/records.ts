/**
 * The notifications table: one row per (idempotency key, recipient). A retried notify step finds the
 * rows of its earlier attempts: a recipient already `sent` is not sent again; a `failed` one is tried
 * again and its row updated (attempts + 1). Recipients are stored masked when they are phone numbers or
 * URLs; `recipient_hash` keeps the row unique without the number in clear.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tables } from '../store/schema.ts';
import { maskPhone, maskUrl } from './secrets.ts';
import type { Channel, NotificationStatus, NotifyTables } from './types.ts';

export type NotifyDb = Kysely<Tables & NotifyTables>;

export function notifyDb(db: Kysely<Tables>): NotifyDb {
  return db.withTables<NotifyTables>();
}

export function recipientHash(channel: Channel, to: string): string {
  return createHash('sha256').update(`${channel}:${to}`).digest('hex');
}

export function displayRecipient(channel: Channel, to: string): string {
  if (channel === 'sms') return maskPhone(to);
  if (channel === 'webhook') return maskUrl(to);
  return to;
}

export interface NotificationRecord {
  id: number;
  runId: number | null;
  stepId: string | null;
  flowId: string | null;
  alertId: number | null;
  eventType: string | null;
  channel: string;
  recipient: string;
  template: string;
  language: string | null;
  subject: string | null;
  status: NotificationStatus;
  attempts: number;
  providerId: string | null;
  providerAnswer: string | null;
  error: string | null;
  deliverAfter: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

export interface DeliveryRowInit {
  key: string;
  channel: Channel;
  to: string;
  runId?: number | undefined;
  stepId?: string | undefined;
  flowId?: string | undefined;
  alertId?: number | undefined;
  eventType?: string | undefined;
  template: string;
  language: string;
  subject: string;
}

/** The row of this key and recipient, created `pending` when new. Returns its id, status and provider id. */
export async function openDelivery(db: NotifyDb, init: DeliveryRowInit, now: number): Promise<{ id: number; status: NotificationStatus; providerId: string | null }> {
  const hash = recipientHash(init.channel, init.to);
  await db
    .insertInto('notifications')
    .values({
      idempotency_key: init.key,
      recipient_hash: hash,
      run_id: init.runId ?? null,
      step_id: init.stepId ?? null,
      flow_id: init.flowId ?? null,
      alert_id: init.alertId ?? null,
      event_type: init.eventType ?? null,
      channel: init.channel,
      recipient: displayRecipient(init.channel, init.to),
      template: init.template,
      language: init.language,
      subject: init.subject,
      status: 'pending',
      attempts: 0,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['idempotency_key', 'recipient_hash']).doNothing())
    .execute();
  const row = await db.selectFrom('notifications').select(['id', 'status', 'provider_id']).where('idempotency_key', '=', init.key).where('recipient_hash', '=', hash).executeTakeFirstOrThrow();
  return { id: row.id, status: row.status, providerId: row.provider_id };
}

export async function finishDelivery(db: NotifyDb, id: number, now: number, result: { status: NotificationStatus; providerId?: string | undefined; answer?: string | undefined; error?: string | undefined; deliverAfter?: number | undefined; message?: string | undefined }, countAttempt = true): Promise<void> {
  await db
    .updateTable('notifications')
    .set((eb) => ({
      status: result.status,
      attempts: countAttempt ? eb('attempts', '+', 1) : eb.ref('attempts'),
      provider_id: result.providerId ?? null,
      provider_answer: result.answer?.slice(0, 2000) ?? null,
      error: result.error?.slice(0, 2000) ?? null,
      deliver_after: result.deliverAfter ?? null,
      message: result.message ?? null,
      updated_at: now,
      sent_at: result.status === 'sent' ? now : null,
    }))
    .where('id', '=', id)
    .execute();
}

/** Deferred rows whose time has come, oldest first. */
export async function dueDeferred(db: NotifyDb, now: number, limit = 100): Promise<Array<{ id: number; message: string }>> {
  const rows = await db.selectFrom('notifications').select(['id', 'message']).where('status', '=', 'deferred').where('deliver_after', '<=', now).orderBy('id').limit(limit).execute();
  return rows.filter((r): r is { id: number; message: string } => r.message !== null);
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

/** Every notification caused by one run, oldest first (for `GET /api/runs/:id/notifications`). */
export async function listNotifications(db: Kysely<Tables>, filter: { runId?: number | undefined; alertId?: number | undefined; limit?: number | undefined }): Promise<NotificationRecord[]> {
  let q = notifyDb(db).selectFrom('notifications').selectAll();
  if (filter.runId !== undefined) q = q.where('run_id', '=', filter.runId);
  if (filter.alertId !== undefined) q = q.where('alert_id', '=', filter.alertId);
  const rows = await q.orderBy('id').limit(filter.limit ?? 500).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    runId: r.run_id === null ? null : Number(r.run_id),
    stepId: r.step_id,
    flowId: r.flow_id,
    alertId: r.alert_id === null ? null : Number(r.alert_id),
    eventType: r.event_type,
    channel: r.channel,
    recipient: r.recipient,
    template: r.template,
    language: r.language,
    subject: r.subject,
    status: r.status,
    attempts: Number(r.attempts),
    providerId: r.provider_id,
    providerAnswer: r.provider_answer,
    error: r.error,
    deliverAfter: iso(r.deliver_after),
    createdAt: iso(r.created_at) ?? '',
    updatedAt: iso(r.updated_at) ?? '',
    sentAt: iso(r.sent_at),
  }));
}
