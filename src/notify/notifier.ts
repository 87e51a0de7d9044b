/**
 * The notifier: implements the engine's `Notifier` port (a flow's notify step) and sends what rules and
 * alerts ask for, through the same channels, templates and records.
 *
 * Invariants:
 * - one row per (idempotency key, recipient) in `notifications`; a recipient whose row is `sent` is never
 *   sent again for that key, so a retried notify step re-sends only what failed;
 * - every recipient is tried before the step fails; the step then throws a TransientError when any
 *   failure may pass (the engine retries with backoff), else the first UserError (the run is blocked);
 * - nothing written to the table or the log carries a configured secret (see ./secrets.ts).
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { OrderflowError, TransientError, UserError, serializeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Notifier, NotifyDelivery, NotifyRequest, NotifyResult } from '../engine/ports.ts';
import type { Tables } from '../store/schema.ts';
import { resolveNotifyConfig } from './config.ts';
import { createEmailSender } from './email.ts';
import { quietUntil } from './quiet-hours.ts';
import { displayRecipient, dueDeferred, finishDelivery, notifyDb, openDelivery, recipientHash } from './records.ts';
import { customerLanguage, resolveRecipients } from './recipients.ts';
import { redactingLogger } from './redacting-log.ts';
import { matchRules, templateFor } from './rules.ts';
import { createSmsSender, normalisePhone } from './sms.ts';
import { maskPhone } from './secrets.ts';
import { loadTemplates, renderNamed, type RenderedTemplate, type TemplateFile } from './templates.ts';
import type { Attachment, Channel, ChannelSender, NotifyConfig, OutgoingMessage } from './types.ts';
import { createWebhookSender } from './webhook.ts';

export interface NotifierDeps {
  db: Kysely<Tables>;
  log: Logger;
  now?: (() => number) | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Already loaded templates (default: the files in config.templatesDir or ./templates). */
  templates?: Map<string, TemplateFile> | undefined;
}

/** One notification to send: a flow's notify step, a rule fired by an event, an alert. */
export interface DeliverySpec {
  channel: Channel;
  to: string[];
  template: string;
  data: unknown;
  /** Stable across retries; combined with each recipient. */
  key: string;
  urgent: boolean;
  runId?: number | undefined;
  stepId?: string | undefined;
  flowId?: string | undefined;
  alertId?: number | undefined;
  eventType?: string | undefined;
  connection?: string | undefined;
}

export interface OrderflowNotifier extends Notifier {
  readonly config: NotifyConfig;
  /** Sends one notification to every recipient; throws after trying them all when one failed. */
  deliver(spec: DeliverySpec): Promise<NotifyDelivery[]>;
  /** Sends what the rules ask for on an event (`approval.requested`, `alert.run_blocked`, …). */
  dispatch(eventType: string, data: unknown, key: string, extra?: { alertId?: number | undefined; runId?: number | undefined; reminder?: number | undefined }): Promise<NotifyDelivery[]>;
  /** Sends deferred notifications whose quiet hours are over; returns how many were sent. */
  flushDeferred(): Promise<number>;
  redact(text: string): string;
  close(): void;
}

export function createNotifier(rawConfig: NotifyConfig, deps: NotifierDeps): OrderflowNotifier {
  const { config, redactor } = resolveNotifyConfig(rawConfig, deps.env ?? process.env);
  const now = deps.now ?? (() => Date.now());
  const log = redactingLogger(deps.log.child({ component: 'notify' }), redactor);
  const db = notifyDb(deps.db);
  const templates = deps.templates ?? loadTemplates(config.templatesDir);
  const senders: Partial<Record<Channel, ChannelSender>> = {};
  if (config.email && Object.keys(config.email).length > 0) senders.email = createEmailSender(config.email, redactor);
  if (config.webhook) senders.webhook = createWebhookSender(config.webhook, redactor, now);
  if (config.sms) senders.sms = createSmsSender(config.sms, redactor);

  async function deliver(spec: DeliverySpec): Promise<NotifyDelivery[]> {
    const sender = senders[spec.channel];
    if (!sender) {
      throw new UserError('OF_NOTIFY_CHANNEL_NOT_CONFIGURED', `a ${spec.channel} notification (template '${spec.template}') was asked for, but notifications.${spec.channel} is not configured; configure it or change the channel`, { channel: spec.channel });
    }
    const language = await customerLanguage(config, spec.data);
    const rendered = await renderNamed(templates, spec.template, spec.data, language, config.defaultLanguage);
    const recipients = await resolveRecipients(spec.to, spec.channel, config, spec.data);
    const deliveries: NotifyDelivery[] = [];
    const errors: OrderflowError[] = [];
    for (const m of recipients.missing) {
      const row = await openDelivery(db, rowInit(spec, m.from, rendered, m.from), now());
      if (row.status !== 'sent') await finishDelivery(db, row.id, now(), { status: 'suppressed', error: m.reason });
      deliveries.push({ channel: spec.channel, to: m.from, status: 'suppressed', error: m.reason });
    }
    for (const r of canonical(spec.channel, recipients.addresses, errors, deliveries)) {
      const shown = displayRecipient(spec.channel, r.to);
      const row = await openDelivery(db, rowInit(spec, r.to, rendered), now());
      if (row.status === 'sent') {
        deliveries.push({ channel: spec.channel, to: shown, status: 'sent', id: row.providerId ?? undefined });
        continue;
      }
      if (row.status === 'deferred') {
        deliveries.push({ channel: spec.channel, to: shown, status: 'suppressed', error: 'deferred by quiet hours' });
        continue;
      }
      const msg = message(spec, r.to, rendered);
      const until = spec.urgent ? null : quietUntil(now(), config.quietHours);
      if (until !== null) {
        await finishDelivery(db, row.id, now(), { status: 'deferred', deliverAfter: until, message: JSON.stringify(msg) }, false);
        log.info({ channel: spec.channel, to: shown, template: rendered.name, until: new Date(until).toISOString() }, 'notification deferred by quiet hours');
        deliveries.push({ channel: spec.channel, to: shown, status: 'suppressed', error: `deferred by quiet hours until ${new Date(until).toISOString()}` });
        continue;
      }
      const outcome = await sendOne(sender, msg, row.id, shown);
      deliveries.push(outcome.delivery);
      if (outcome.error) errors.push(outcome.error);
    }
    if (errors.length > 0) throw summarise(errors, spec);
    return deliveries;
  }

  /** SMS numbers to E.164 (so one phone reached through two roles is one recipient); a bad number fails alone. */
  function canonical(channel: Channel, list: Array<{ to: string; from: string }>, errors: OrderflowError[], deliveries: NotifyDelivery[]): Array<{ to: string; from: string }> {
    if (channel !== 'sms') return list;
    const seen = new Set<string>();
    const out: Array<{ to: string; from: string }> = [];
    for (const r of list) {
      try {
        const to = normalisePhone(r.to, config.sms?.defaultCountry);
        if (!seen.has(to)) out.push({ to, from: r.from });
        seen.add(to);
      } catch (err) {
        const e = err as OrderflowError;
        errors.push(e);
        deliveries.push({ channel, to: r.from.startsWith('role:') ? r.from : maskPhone(r.to), status: 'failed', error: e.message });
      }
    }
    return out;
  }

  async function sendOne(sender: ChannelSender, msg: OutgoingMessage, rowId: number, shown: string): Promise<{ delivery: NotifyDelivery; error?: OrderflowError }> {
    try {
      const res = await sender.send(msg);
      await finishDelivery(db, rowId, now(), { status: 'sent', providerId: res.providerId, answer: res.answer });
      log.info({ channel: msg.channel, to: shown, template: msg.meta.template, runId: msg.meta.runId }, 'notification sent');
      return { delivery: { channel: msg.channel, to: shown, status: 'sent', id: res.providerId } };
    } catch (err) {
      const e = err instanceof OrderflowError ? err : new TransientError('OF_NOTIFY_SEND_FAILED', `sending failed: ${err instanceof Error ? err.message : String(err)}`);
      const text = redactor.redact(`${e.code}: ${e.message}`);
      await finishDelivery(db, rowId, now(), { status: 'failed', error: text });
      log.warn({ channel: msg.channel, to: shown, template: msg.meta.template, runId: msg.meta.runId, err: { code: e.code, message: e.message } }, 'notification failed');
      return { delivery: { channel: msg.channel, to: shown, status: 'failed', error: text }, error: e };
    }
  }

  function summarise(errors: OrderflowError[], spec: DeliverySpec): OrderflowError {
    const transient = errors.find((e) => e.retryable);
    const first = transient ?? errors[0];
    if (!first) return new TransientError('OF_NOTIFY_SEND_FAILED', 'sending failed');
    const count = errors.length > 1 ? ` (${errors.length} recipients failed)` : '';
    const message = redactor.redact(`${spec.channel} notification '${spec.template}' failed${count}: ${first.message}`);
    const ser = serializeError(first);
    return transient ? new TransientError(first.code, message, { retryAfterMs: ser.retryAfterMs, details: first.details }) : new UserError(first.code, message, first.details);
  }

  function rowInit(spec: DeliverySpec, to: string, rendered: RenderedTemplate, display?: string) {
    return { key: spec.key, channel: spec.channel, to: display ?? to, runId: spec.runId, stepId: spec.stepId, flowId: spec.flowId, alertId: spec.alertId, eventType: spec.eventType, template: rendered.name, language: rendered.language, subject: redactor.redact(rendered.subject) };
  }

  function message(spec: DeliverySpec, to: string, rendered: RenderedTemplate): OutgoingMessage {
    const hash = recipientHash(spec.channel, to);
    return {
      channel: spec.channel,
      to,
      subject: rendered.subject,
      text: spec.channel === 'sms' ? rendered.sms : rendered.text,
      html: spec.channel === 'email' ? rendered.html : undefined,
      attachments: spec.channel === 'email' ? attachmentsOf(spec.data) : undefined,
      connection: spec.connection ?? rendered.connection,
      deliveryId: createHash('sha256').update(`${spec.key}|${hash}`).digest('hex').slice(0, 32),
      meta: { template: rendered.name, event: spec.eventType, runId: spec.runId, flowId: spec.flowId, stepId: spec.stepId, language: rendered.language, data: spec.channel === 'webhook' ? spec.data : undefined },
    };
  }

  return {
    config,
    deliver,
    async send(req: NotifyRequest): Promise<NotifyResult> {
      // A flow decided to notify now: quiet hours apply to alerts and rules, not to a flow's own step.
      const deliveries = await deliver({ channel: req.channel, to: req.to, template: req.template, data: req.data, key: req.idempotencyKey, urgent: true, runId: req.runId, stepId: req.stepId, flowId: req.flowId });
      return { deliveries };
    },
    async dispatch(eventType, data, key, extra = {}) {
      const out: NotifyDelivery[] = [];
      const errors: unknown[] = [];
      const view = { ...(data !== null && typeof data === 'object' ? data : { value: data }), event: { type: eventType }, reminder: extra.reminder ?? 0 };
      for (const [i, rule] of matchRules(config.rules, eventType, view).entries()) {
        try {
          const spec: DeliverySpec = { channel: rule.channel, to: rule.to, template: templateFor(rule, eventType), data: view, key: `${key}:r${i}`, urgent: rule.urgent ?? false, alertId: extra.alertId, runId: extra.runId, eventType, connection: rule.connection };
          out.push(...(await deliver(spec)));
        } catch (err) {
          errors.push(err);
        }
      }
      if (errors.length > 0) throw errors.find((e) => e instanceof OrderflowError && e.retryable) ?? errors[0];
      return out;
    },
    async flushDeferred(): Promise<number> {
      let sent = 0;
      for (const row of await dueDeferred(db, now())) {
        const msg = JSON.parse(row.message) as OutgoingMessage;
        const sender = senders[msg.channel];
        if (!sender) continue;
        const outcome = await sendOne(sender, msg, row.id, displayRecipient(msg.channel, msg.to));
        if (outcome.error) await finishDelivery(db, row.id, now(), { status: 'deferred', deliverAfter: now() + 60_000, message: row.message, error: outcome.delivery.error }, false);
        else sent++;
      }
      return sent;
    },
    redact: (text: string) => redactor.redact(text),
    close(): void {
      for (const s of Object.values(senders)) s.close();
    },
  };
}

function attachmentsOf(data: unknown): Attachment[] | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const list = (data as { attachments?: unknown }).attachments;
  if (!Array.isArray(list)) return undefined;
  return list.filter((a): a is Attachment => a !== null && typeof a === 'object' && typeof (a as Attachment).filename === 'string' && (typeof (a as Attachment).content === 'string' || Buffer.isBuffer((a as Attachment).content)));
}
