/**
 * The `webhook` trigger, for shops with a webhook module. Body: `{action, entity, data}` (ps_webhooks
 * shape). With `webhookSecret` configured, the raw body must carry a valid HMAC-SHA256 in the header
 * `X-Webhook-Signature` (hex, optional `sha256=` prefix; override with the trigger option
 * `signatureHeader`), compared in constant time. Events are the poller's, with the same dedupe keys.
 */
import { UserError } from '../../core/errors.ts';
import { verifyHmacSha256, type EmittedEvent, type TriggerContext, type WebhookRequest } from '../kit/index.ts';
import type { PrestaShopClient } from './client.ts';
import { orderEvents, slipEvent, type OrderHistoryRow } from './events.ts';
import type { PsRecord } from './types.ts';

export const DEFAULT_SIGNATURE_HEADER = 'x-webhook-signature';

interface Delivery {
  action: string;
  entity: string;
  data: Record<string, unknown>;
}

function readDelivery(body: unknown, raw: Buffer): Delivery {
  let b = body;
  if (b === undefined || b === null || Buffer.isBuffer(b)) {
    try {
      b = JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      throw new UserError('OF_WEBHOOK_BAD_BODY', 'PrestaShop webhook body is not JSON; expected {"action","entity","data"}');
    }
  }
  const d = b as Partial<Delivery>;
  if (typeof d?.entity !== 'string' || typeof d.data !== 'object' || d.data === null) {
    throw new UserError('OF_WEBHOOK_BAD_BODY', 'PrestaShop webhook body needs "entity" (string) and "data" (object), as the webhook module sends');
  }
  return { action: String(d.action ?? ''), entity: d.entity, data: d.data };
}

function header(req: WebhookRequest, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() === want) return Array.isArray(v) ? v[0] : v;
  return undefined;
}

export async function receiveWebhook(ctx: TriggerContext<PrestaShopClient>, req: WebhookRequest): Promise<EmittedEvent[]> {
  const client = ctx.client;
  const secret = client.settings.webhookSecret;
  if (secret) {
    const name = typeof ctx.options.signatureHeader === 'string' ? ctx.options.signatureHeader : DEFAULT_SIGNATURE_HEADER;
    if (!verifyHmacSha256(secret, req.rawBody, header(req, name))) {
      throw new UserError('OF_WEBHOOK_BAD_SIGNATURE', `PrestaShop webhook signature in header '${name}' is missing or wrong; check webhookSecret on connection '${ctx.connection.name}' and in the shop's webhook module`);
    }
  }
  const d = readDelivery(req.body, req.rawBody);
  const conn = ctx.connection.name;
  const tz = client.settings.timezone;
  switch (d.entity) {
    case 'Order': {
      const order = { ...d.data, id: Number(d.data.id) } as PsRecord;
      const states = await client.statesFor([Number(order.current_state)]);
      // No history in this delivery: only the current state can confirm (its key absorbs repeats).
      return orderEvents({ connection: conn, order, histories: [], isNew: () => false, states, timezone: tz });
    }
    case 'OrderHistory': {
      const historyId = Number(d.data.id);
      const orderId = Number(d.data.id_order);
      const order = await client.get('orders', orderId);
      if (!order) return [];
      const rows = await client.list('order_histories', { display: 'full', date: 1, 'filter[id_order]': `[${orderId}]`, sort: '[id_ASC]' });
      const histories: OrderHistoryRow[] = rows.map((r) => ({ id: Number(r.id), id_order_state: String(r.id_order_state), id_order: String(r.id_order), date_add: String(r.date_add) }));
      if (!histories.some((h) => h.id === historyId)) {
        histories.push({ id: historyId, id_order_state: String(d.data.id_order_state), id_order: String(orderId), date_add: String(d.data.date_add ?? '') });
      }
      const states = await client.statesFor(histories.map((h) => Number(h.id_order_state)));
      return orderEvents({ connection: conn, order, histories, isNew: (h) => h.id === historyId, states, timezone: tz });
    }
    case 'OrderSlip':
      return [slipEvent(conn, { ...d.data, id: Number(d.data.id) } as PsRecord, tz)];
    default:
      return [];
  }
}
