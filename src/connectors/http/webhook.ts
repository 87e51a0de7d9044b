/**
 * The `webhook` trigger: one event per delivery. The signature (HMAC-SHA256 of the raw body, compared in
 * constant time) is checked before the body is even parsed; the dedupe key comes from the delivery-id
 * header when the sender sets one, else from the body's hash, so a redelivery of the same delivery
 * creates nothing new.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../../core/errors.ts';
import { verifyHmacSha256 } from '../kit/hmac.ts';
import type { EmittedEvent, TriggerContext, WebhookRequest, WebhookTrigger } from '../kit/types.ts';
import type { HttpConnectorClient } from './request.ts';

function header(req: WebhookRequest, name: string): string | undefined {
  const v = req.headers[name] ?? req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: WebhookRequest, connection: string): unknown {
  if (req.body !== undefined && !Buffer.isBuffer(req.body)) return req.body;
  if (req.rawBody.length === 0) return null;
  const text = req.rawBody.toString('utf8');
  const type = String(header(req, 'content-type') ?? '');
  const looksJson = /[/+]json\b/i.test(type) || /^\s*[[{]/.test(text);
  if (!looksJson) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UserError('OF_WEBHOOK_BAD_BODY', `webhook for connection '${connection}': the body is not valid JSON (${(err as Error).message}); send JSON or text/plain`, { connection });
  }
}

function pick(body: unknown, dotted: string): unknown {
  let cur: unknown = body;
  for (const part of dotted.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function receive(ctx: TriggerContext<HttpConnectorClient>, req: WebhookRequest): EmittedEvent[] {
  const name = ctx.connection.name;
  const wh = ctx.client.settings.webhook;
  if (!wh.unsigned) {
    if (!wh.secret) {
      throw new UserError('OF_HTTP_CONFIG', `connection '${name}': settings.webhook.secret is missing; set the shared secret the sender signs with, or set webhook.unsigned: true to accept unsigned deliveries`, { connection: name, field: 'webhook.secret' });
    }
    if (!verifyHmacSha256(wh.secret, req.rawBody, header(req, wh.signatureHeader), wh.signatureEncoding)) {
      throw new UserError('OF_WEBHOOK_BAD_SIGNATURE', `webhook for connection '${name}': the ${wh.signatureHeader} header is missing or is not the HMAC-SHA256 of the body with the configured secret`, { connection: name });
    }
  }
  const body = readBody(req, name);
  const deliveryId = wh.dedupeHeader ? header(req, wh.dedupeHeader) : undefined;
  const id = deliveryId ? `delivery:${deliveryId}` : `sha256:${createHash('sha256').update(req.rawBody).digest('hex')}`;
  const entity = wh.entityPath ? pick(body, wh.entityPath) : undefined;
  const type = (wh.typeHeader ? header(req, wh.typeHeader) : undefined) ?? wh.eventType;
  return [
    {
      type,
      dedupeKey: `${name}:${id}`,
      entityKey: entity === undefined || entity === null || typeof entity === 'object' ? `${name}:${id}` : `${name}:${String(entity)}`,
      payload: body,
      occurredAt: new Date().toISOString(),
    },
  ];
}

export const webhookTrigger: WebhookTrigger<HttpConnectorClient> = {
  kind: 'webhook',
  description: 'One event per delivery to /hooks/:connection, signed with HMAC-SHA256 of the raw body.',
  receive,
};
