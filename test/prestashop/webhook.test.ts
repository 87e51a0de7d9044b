/** The emulator's webhook module and the connector's `webhook` trigger, over real HTTP. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmittedEvent, WebhookRequest, WebhookTrigger } from '../../src/connectors/kit/index.ts';
import { hmacSha256 } from '../../src/connectors/kit/index.ts';
import { prestashopConnector, type PrestaShopClient } from '../../src/connectors/prestashop/index.ts';
import type { OrderflowError } from '../../src/core/errors.ts';
import type { PrestaShopEmulator } from '../../src/emulators/prestashop/index.ts';
import { client, connection, order, startShop, triggerCtx, ws } from './helpers.ts';

const trigger = prestashopConnector.triggers.webhook as WebhookTrigger<PrestaShopClient>;
const SECRET = 'whsec-test';

/** Receives deliveries and hands each to the connector's trigger, as the server's ingress would. */
async function startReceiver(handle: (req: WebhookRequest) => Promise<void>) {
  const received: WebhookRequest[] = [];
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const r: WebhookRequest = { headers: req.headers, rawBody, body: JSON.parse(rawBody.toString('utf8')) as unknown };
      received.push(r);
      void handle(r).finally(() => {
        res.writeHead(200).end();
        waiters.splice(0).forEach((w) => w());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/shop`,
    received,
    /** Waits (on deliveries, not on a clock) until the condition holds, for at most 5 s. */
    async until(cond: () => boolean) {
      const deadline = Date.now() + 5000;
      while (!cond() && Date.now() < deadline) await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 200); });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('prestashop webhook trigger', () => {
  let emu: PrestaShopEmulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let c: PrestaShopClient;
  const events: EmittedEvent[] = [];
  const conn = () => connection(emu, { webhookSecret: SECRET });
  before(async () => {
    receiver = await startReceiver(async (req) => {
      events.push(...(await trigger.receive(triggerCtx(conn(), c), req)));
    });
    emu = await startShop({ webhookUrl: receiver.url, webhookSecret: SECRET });
    c = client(conn());
  });
  after(async () => {
    c.http.close();
    await emu.close();
    await receiver.close();
  });

  test('an order creation is delivered signed, and yields the same events and dedupe keys as the poller', async () => {
    const { id_order } = await emu.checkout(order());
    await receiver.until(() => events.some((e) => e.entityKey === `shop:order:${id_order}` && e.type === 'order.state_changed'));
    assert.match(String(receiver.received[0]?.headers['x-webhook-signature']), /^sha256=[0-9a-f]{64}$/);
    const mine = events.filter((e) => e.entityKey === `shop:order:${id_order}`);
    assert.ok(mine.some((e) => e.type === 'order.confirmed' && e.dedupeKey === `prestashop:shop:order:${id_order}:confirmed`));
    assert.ok(mine.some((e) => e.type === 'order.state_changed' && /:state:2:h\d+$/.test(e.dedupeKey)));
  });

  test('a state change is delivered and yields order.state_changed and order.cancelled', async () => {
    const { id_order } = await emu.checkout(order());
    await ws(emu, 'order_histories', { method: 'POST', body: `<prestashop><order_history><id_order>${id_order}</id_order><id_order_state>6</id_order_state></order_history></prestashop>` });
    await receiver.until(() => events.some((e) => e.entityKey === `shop:order:${id_order}` && e.type === 'order.cancelled'));
    const mine = events.filter((e) => e.entityKey === `shop:order:${id_order}`);
    assert.ok(mine.some((e) => e.type === 'order.cancelled'));
    assert.ok(mine.some((e) => e.type === 'order.state_changed' && (e.payload as { history: { from_state: number } }).history.from_state === 2));
  });

  test('a wrong or missing signature is refused with OF_WEBHOOK_BAD_SIGNATURE', async () => {
    const rawBody = Buffer.from(JSON.stringify({ action: 'add', entity: 'Order', data: { id: 1 } }));
    const isBad = (e: OrderflowError) => e.code === 'OF_WEBHOOK_BAD_SIGNATURE' && e.kind === 'user';
    await assert.rejects(Promise.resolve().then(() => trigger.receive(triggerCtx(conn(), c), { headers: { 'x-webhook-signature': 'sha256=00' }, rawBody, body: undefined })), isBad);
    await assert.rejects(Promise.resolve().then(() => trigger.receive(triggerCtx(conn(), c), { headers: {}, rawBody, body: undefined })), isBad);
    const good = await trigger.receive(triggerCtx(conn(), c), { headers: { 'X-Webhook-Signature': hmacSha256(SECRET, rawBody) }, rawBody, body: undefined });
    assert.ok(Array.isArray(good));
  });

  test('without a configured secret deliveries are accepted unsigned; a body without entity is OF_WEBHOOK_BAD_BODY', async () => {
    const open = connection(emu);
    const unsigned = client(open);
    try {
      const rawBody = Buffer.from(JSON.stringify({ action: 'add', entity: 'Customer', data: { id: 1 } }));
      assert.deepEqual(await trigger.receive(triggerCtx(open, unsigned), { headers: {}, rawBody, body: undefined }), []);
      const bad = Buffer.from('{"nope":true}');
      await assert.rejects(Promise.resolve().then(() => trigger.receive(triggerCtx(open, unsigned), { headers: {}, rawBody: bad, body: undefined })), (e: OrderflowError) => e.code === 'OF_WEBHOOK_BAD_BODY');
    } finally {
      unsigned.http.close();
    }
  });
});
