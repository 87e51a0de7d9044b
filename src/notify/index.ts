/** Notifications and alerts: what the CLI and the server use. */
export { createNotifier, type OrderflowNotifier, type NotifierDeps, type DeliverySpec } from './notifier.ts';
export { listNotifications, type NotificationRecord } from './records.ts';
export { AlertManager, type AlertManagerDeps, type RoundReport } from './alerts/manager.ts';
export { listAlerts, type AlertRow, type Cause } from './alerts/alert-store.ts';
export type { PollerHealth } from './alerts/checks.ts';
export { verifyWebhookSignature, signWebhook, SIGNATURE_HEADER, DELIVERY_HEADER } from './webhook.ts';
export { loadTemplates, DEFAULT_TEMPLATES_DIR } from './templates.ts';
export type { NotifyConfig, NotifyRule, Channel } from './types.ts';
