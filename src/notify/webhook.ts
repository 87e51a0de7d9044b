/**
 * The webhook channel: a POST of JSON, signed so the receiver can check who sent it and when.
 *
 *   X-Orderflow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of `${t}.${body}` with the shared secret>
 *   X-Orderflow-Delivery:  <delivery id, the same on every retry of one message>
 *
 * A receiver recomputes the HMAC, compares in constant time, rejects a timestamp older than its
 * tolerance (a replay) and ignores a delivery id it has already processed (a retry after a lost answer).
 * Because of that dedupe, a write that may have arrived is retried as transient.
 */
import { AmbiguousWriteError, OrderflowError, TransientError, UserError } from '../core/errors.ts';
import { hmacSha256, verifyHmacSha256 } from '../connectors/kit/hmac.ts';
import { createHttpClient, type HttpClient } from '../connectors/kit/http.ts';
import type { SecretRedactor } from './secrets.ts';
import type { ChannelResult, ChannelSender, OutgoingMessage, WebhookChannelConfig } from './types.ts';

export const SIGNATURE_HEADER = 'X-Orderflow-Signature';
export const DELIVERY_HEADER = 'X-Orderflow-Delivery';

export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${hmacSha256(secret, `${unixSeconds}.${body}`)}`;
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'stale' };

/** For receivers (and tests): checks the signature header and that the timestamp is within `toleranceSec` of now. */
export function verifyWebhookSignature(secret: string, header: string | undefined, body: string, opts: { toleranceSec?: number; nowSec?: number } = {}): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing' };
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return { ok: false, reason: 'malformed' };
  if (!verifyHmacSha256(secret, `${t}.${body}`, parts.v1)) return { ok: false, reason: 'mismatch' };
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSec ?? 300)) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp: t };
}

export function createWebhookSender(cfg: WebhookChannelConfig, redactor: SecretRedactor, now: () => number): ChannelSender {
  const clients = new Map<string, HttpClient>();
  const clientFor = (url: URL): HttpClient => {
    let c = clients.get(url.origin);
    if (!c) {
      c = createHttpClient({ name: `webhook ${url.host}`, baseUrl: url.origin, timeoutMs: cfg.timeoutMs ?? 10_000, headers: cfg.headers ?? {} });
      clients.set(url.origin, c);
    }
    return c;
  };

  return {
    async send(msg: OutgoingMessage): Promise<ChannelResult> {
      let url: URL;
      try {
        url = new URL(msg.to);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
      } catch {
        throw new UserError('OF_NOTIFY_WEBHOOK_URL', `webhook recipient '${redactor.redact(msg.to)}' is not an http(s) URL; give a full URL such as https://example.com/hooks/orderflow`);
      }
      const body = JSON.stringify({
        id: msg.deliveryId,
        template: msg.meta.template,
        event: msg.meta.event ?? null,
        runId: msg.meta.runId ?? null,
        flowId: msg.meta.flowId ?? null,
        stepId: msg.meta.stepId ?? null,
        language: msg.meta.language,
        subject: msg.subject,
        text: msg.text,
        data: msg.meta.data ?? null,
      });
      const ts = Math.floor(now() / 1000);
      try {
        const res = await clientFor(url).request({
          method: 'POST',
          path: url.toString(),
          body,
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(cfg.secret, body, ts), [DELIVERY_HEADER]: msg.deliveryId, 'user-agent': 'orderflow-notify' },
        });
        return { providerId: msg.deliveryId, answer: redactor.redact(`${res.status} ${res.text().slice(0, 500)}`) };
      } catch (err) {
        throw mapWebhookError(err, redactor);
      }
    },
    close(): void {
      for (const c of clients.values()) c.close();
      clients.clear();
    },
  };
}

function mapWebhookError(err: unknown, redactor: SecretRedactor): Error {
  const message = redactor.redact(err instanceof Error ? err.message : String(err));
  if (err instanceof UserError) return new UserError('OF_NOTIFY_WEBHOOK_REJECTED', `webhook receiver refused the delivery: ${message}; check the URL and the receiver's secret`, err.details);
  const retryAfterMs = err instanceof TransientError ? err.retryAfterMs : undefined;
  if (err instanceof TransientError || err instanceof AmbiguousWriteError || !(err instanceof OrderflowError)) {
    return new TransientError('OF_NOTIFY_WEBHOOK_FAILED', `webhook delivery failed: ${message}`, { retryAfterMs, details: { cause: err instanceof OrderflowError ? err.code : undefined } });
  }
  return err;
}
