/**
 * Notifications: the configuration, the rendered message and the two tables.
 *
 * Glossary:
 * - **channel**: email (SMTP), webhook (signed JSON POST) or sms (Twilio Messages API).
 * - **recipient**: one address on one channel: an e-mail address, a URL, an E.164 phone number.
 * - **role**: a named group of recipients in the configuration (`role:sales`); `role:customer` is read
 *   from the notification's data.
 * - **rule**: "on event E, when condition C, send template T on channel X to R" (alerts, approvals).
 * - **alert**: one open problem per cause (a blocked flow step, a stale poller); notified once, reminded,
 *   and closed with a "resolved" message.
 */
import type { Generated } from 'kysely';

export type Channel = 'email' | 'webhook' | 'sms';
export const CHANNELS: readonly Channel[] = ['email', 'webhook', 'sms'];

export interface EmailConnectionConfig {
  host: string;
  port: number;
  /** TLS from the first byte (port 465). Otherwise STARTTLS when the server offers it. */
  secure?: boolean | undefined;
  auth?: { user: string; pass: string } | undefined;
  from: string;
  replyTo?: string | undefined;
  /** Connect, greeting and socket timeouts, in ms (default 15 000). */
  timeoutMs?: number | undefined;
  /** Accept self-signed certificates (tests, internal relays). */
  allowSelfSigned?: boolean | undefined;
}

export interface WebhookChannelConfig {
  /** HMAC-SHA256 key the receivers verify with. */
  secret: string;
  timeoutMs?: number | undefined;
  headers?: Record<string, string> | undefined;
}

export interface SmsChannelConfig {
  /** Default https://api.twilio.com; tests point it at a local server. */
  baseUrl?: string | undefined;
  accountSid: string;
  authToken: string;
  /** The sender number (E.164), or a messaging service instead. */
  from?: string | undefined;
  messagingServiceSid?: string | undefined;
  /** Country assumed for numbers written without +prefix (ISO 3166 alpha-2, e.g. ES). */
  defaultCountry?: string | undefined;
  timeoutMs?: number | undefined;
}

/** Addresses of one role, per channel. */
export interface RoleRecipients {
  email?: string[] | undefined;
  sms?: string[] | undefined;
  webhook?: string[] | undefined;
}

export interface NotifyRule {
  /** Engine event type, e.g. `alert.run_blocked`, `approval.requested`, `alert.resolved`; `*` suffix matches a prefix. */
  event: string;
  /** JSON Logic over the event data; the rule applies when it is truthy (or absent). */
  when?: unknown;
  channel: Channel;
  to: string[];
  /** Default by event: run-blocked, run-dead, alert-resolved, approval-requested, approval-reminder, alert (other alerts), generic. */
  template?: string | undefined;
  /** Urgent notifications ignore quiet hours. */
  urgent?: boolean | undefined;
  /** Email connection to send through (default: `default`). */
  connection?: string | undefined;
}

export interface QuietHoursConfig {
  /** "22:00" */
  start: string;
  /** "07:00" */
  end: string;
  /** IANA zone, e.g. Europe/Madrid (default UTC). */
  timeZone?: string | undefined;
}

export interface AlertChecksConfig {
  /** After this long an open alert is notified once more (default 1 h). */
  reminderAfter?: string | number | undefined;
  /** Reminders per alert episode (default 1). */
  maxReminders?: number | undefined;
  /** An approval waiting longer than this raises `alert.approval_pending` (off when absent). */
  approvalPendingAfter?: string | number | undefined;
  /** Runs of these flows not finished this long after their event raise `alert.run_late`. */
  lateRuns?: Array<{ flow: string; after: string | number }> | undefined;
  /** A poller whose last success is older than factor × its interval raises `alert.poller_stale` (default 5). */
  pollerStaleFactor?: number | undefined;
  /** This many failed attempts in a row against one connection raise `alert.connection_failing` (default 5). */
  connectionFailures?: number | undefined;
  /** How often the manager looks (default 15 s). */
  intervalMs?: number | undefined;
}

export interface NotifyConfig {
  email?: Record<string, EmailConnectionConfig> | undefined;
  webhook?: WebhookChannelConfig | undefined;
  sms?: SmsChannelConfig | undefined;
  roles?: Record<string, RoleRecipients> | undefined;
  rules?: NotifyRule[] | undefined;
  quietHours?: QuietHoursConfig | undefined;
  /** Folder of template files (YAML or JSON); default ./templates. */
  templatesDir?: string | undefined;
  /** JSONata over the data: the customer's e-mail, phone and language (`role:customer`, language choice). */
  customer?: { email?: string | undefined; phone?: string | undefined; language?: string | undefined } | undefined;
  defaultLanguage?: string | undefined;
  alerts?: AlertChecksConfig | undefined;
}

/** A rendered message for one recipient, ready for its channel. */
export interface OutgoingMessage {
  channel: Channel;
  /** The real address (never stored or logged in clear when it is a phone). */
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  attachments?: Attachment[] | undefined;
  /** Email connection name. */
  connection?: string | undefined;
  /** Stable across retries: the webhook's delivery id. */
  deliveryId: string;
  /** What a webhook receiver gets besides the text. */
  meta: { template: string; event?: string | undefined; runId?: number | undefined; flowId?: string | undefined; stepId?: string | undefined; language: string; data: unknown };
}

export interface Attachment {
  filename: string;
  /** A Buffer, or base64 text (as it arrives through JSON data). */
  content: Buffer | string;
  contentType?: string | undefined;
}

export interface ChannelResult {
  providerId?: string | undefined;
  answer?: string | undefined;
}

/** A channel adapter: sends one message or throws a taxonomy error. */
export interface ChannelSender {
  send(msg: OutgoingMessage): Promise<ChannelResult>;
  close(): void;
}

export type NotificationStatus = 'pending' | 'sent' | 'failed' | 'deferred' | 'suppressed';

export type NotificationsTable = {
  id: Generated<number>;
  idempotency_key: string;
  recipient_hash: string;
  run_id: number | null;
  step_id: string | null;
  flow_id: string | null;
  alert_id: number | null;
  event_type: string | null;
  channel: string;
  recipient: string;
  template: string;
  language: string | null;
  subject: string | null;
  status: NotificationStatus;
  attempts: number;
  provider_id: string | null;
  provider_answer: string | null;
  error: string | null;
  deliver_after: number | null;
  /** JSON of a deferred message (quiet hours), cleared once sent. */
  message: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
};

export type AlertStatus = 'open' | 'resolved';

export type AlertsTable = {
  id: Generated<number>;
  cause_key: string;
  /** The alert event type: `alert.run_blocked`, `alert.poller_stale`, … */
  kind: string;
  status: AlertStatus;
  /** JSON: the latest data of the cause (what templates see). */
  data: string;
  /** Incremented each time a resolved cause opens again (keeps idempotency keys distinct). */
  episode: number;
  count: number;
  first_seen: number;
  last_seen: number;
  last_notified: number | null;
  reminders: number;
  resolved_at: number | null;
  updated_at: number;
};

/** Type aliases, not interfaces: Kysely's `withTables` wants index-compatible record types. */
export type NotifyTables = {
  notifications: NotificationsTable;
  alerts: AlertsTable;
};
