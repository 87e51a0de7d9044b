/**
 * What the engine needs from the outside, as small ports: the notifier (email, webhook, SMS) and the
 * clock. The CLI wires the concrete implementations.
 */

export interface NotifyRequest {
  channel: 'email' | 'webhook' | 'sms';
  /** Roles (`role:sales`) or addresses, as written in the flow. */
  to: string[];
  template: string;
  data: unknown;
  runId: number;
  stepId: string;
  flowId: string;
  /** Stable for one run step across attempts: a retried notify step must not send twice. */
  idempotencyKey: string;
}

export interface NotifyDelivery {
  channel: string;
  to: string;
  status: 'sent' | 'failed' | 'suppressed';
  id?: string | undefined;
  error?: string | undefined;
}

export interface NotifyResult {
  deliveries: NotifyDelivery[];
}

/** Throws taxonomy errors: transient failures are retried by the engine with backoff. */
export interface Notifier {
  send(req: NotifyRequest): Promise<NotifyResult>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
