/** The `orders` polling trigger against the emulator, in 8.x and 1.7 modes. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import type { ConnectionConfig, EmittedEvent, PollingTrigger } from '../../src/connectors/kit/index.ts';
import { prestashopConnector, type PrestaShopClient } from '../../src/connectors/prestashop/index.ts';
import { minusSeconds } from '../../src/connectors/prestashop/time.ts';
import { client, connection, order, triggerCtx, useShop, VERSIONS, ws, xmlBody } from './helpers.ts';

const trigger = prestashopConnector.triggers.orders as PollingTrigger<PrestaShopClient>;
const types = (events: EmittedEvent[]) => events.map((e) => e.type).sort();

/** A poller as the engine runs it: keeps the cursor between polls. */
function poller(conn: ConnectionConfig, c: PrestaShopClient, options: Record<string, unknown> = {}, cursor: string | null = null) {
  const p = {
    cursor,
    async poll(): Promise<EmittedEvent[]> {
      const r = await trigger.poll(triggerCtx(conn, c, options), p.cursor);
      p.cursor = r.cursor;
      return r.events;
    },
  };
  return p;
}

for (const psVersion of VERSIONS) {
  describe(`prestashop orders poller (${psVersion})`, () => {
    const f = useShop(psVersion);

    test('the default interval is 2 s, and a first poll starts from now: existing orders are not news', async () => {
      assert.equal(trigger.defaultIntervalMs, 2000);
      await f.emu.checkout(order());
      const p = poller(f.conn, f.c);
      assert.deepEqual(await p.poll(), []);
      assert.deepEqual(await p.poll(), []);
    });

    test('a new paid order emits order.state_changed and order.confirmed once, keyed on the order, with the payload flows need', async () => {
      const p = poller(f.conn, f.c);
      await p.poll();
      const { id_order, reference } = await f.emu.checkout(order());
      const events = await p.poll();
      assert.deepEqual(types(events), ['order.confirmed', 'order.state_changed']);
      const confirmed = events.find((e) => e.type === 'order.confirmed');
      assert.equal(confirmed?.dedupeKey, `prestashop:shop:order:${id_order}:confirmed`);
      assert.equal(confirmed?.entityKey, `shop:order:${id_order}`);
      const payload = confirmed?.payload as Record<string, unknown>;
      assert.equal(payload.reference, reference);
      assert.equal(payload.state, 'Payment accepted');
      assert.equal(payload.module, 'ps_wirepayment');
      assert.match(String(payload.total_paid_tax_incl), /^\d+\.\d{6}$/);
      assert.equal(confirmed?.version, payload.date_upd);
      assert.deepEqual(await p.poll(), [], 'a re-poll inside the overlap window emits nothing');
    });

    test('the window re-reads only the version fields of orders: a full order is fetched once, for its new version', async () => {
      const p = poller(f.conn, f.c);
      await p.poll();
      const seen: string[] = [];
      const http = f.c.http as { request: typeof f.c.http.request };
      const original = http.request.bind(f.c.http);
      http.request = (req) => {
        if (/orders$/.test(req.path)) seen.push(String(req.query?.display));
        return original(req);
      };
      try {
        const { id_order } = await f.emu.checkout(order());
        assert.ok((await p.poll()).some((e) => e.type === 'order.confirmed' && e.entityKey === `shop:order:${id_order}`));
        assert.deepEqual(seen, ['[id,date_upd,current_state]', 'full'], 'the versions, then the one new order in full');
        seen.length = 0;
        assert.deepEqual(await p.poll(), []);
        assert.deepEqual(seen, ['[id,date_upd,current_state]'], 'inside the window, nothing is read in full again');
      } finally {
        http.request = original;
      }
    });

    test('a confirmed order later updated is never confirmed again; its new states are state changes, cancellation and refund have their own events', async () => {
      const p = poller(f.conn, f.c);
      await p.poll();
      const { id_order } = await f.emu.checkout(order());
      assert.ok(types(await p.poll()).includes('order.confirmed'));
      const post = (state: string) => ws(f.emu, 'order_histories', { method: 'POST', body: xmlBody('order_history', { id_order: String(id_order), id_order_state: state }) });
      await post('4');
      const shipped = await p.poll();
      assert.deepEqual(types(shipped), ['order.state_changed']);
      assert.equal((shipped[0]?.payload as { history: { from_state: number } }).history.from_state, 2);
      await post('7');
      assert.deepEqual(types(await p.poll()), ['order.refunded', 'order.state_changed']);
      await post('6');
      assert.deepEqual(types(await p.poll()), ['order.cancelled', 'order.state_changed']);
      await post('2');
      assert.deepEqual(types(await p.poll()), ['order.state_changed'], 'back in a paid state: still not a second confirmation');
    });

    test('an order awaiting payment is confirmed when it reaches a paid state; confirmedStates may name other states', async () => {
      const p = poller(f.conn, f.c);
      await p.poll();
      const { id_order } = await f.emu.checkout(order({ state: 'Awaiting bank wire payment' }));
      assert.deepEqual(types(await p.poll()), ['order.state_changed']);
      await ws(f.emu, 'order_histories', { method: 'POST', body: xmlBody('order_history', { id_order: String(id_order), id_order_state: '2' }) });
      assert.deepEqual(types(await p.poll()), ['order.confirmed', 'order.state_changed']);

      const byName = connection(f.emu, { psVersion, confirmedStates: ['Awaiting bank wire payment'] }, 'shop2');
      const c2 = client(byName);
      const p2 = poller(byName, c2);
      await p2.poll();
      await f.emu.checkout(order({ state: 'Awaiting bank wire payment' }));
      const events = await p2.poll();
      c2.http.close();
      assert.deepEqual(types(events), ['order.confirmed', 'order.state_changed']);
      assert.match(events[0]?.dedupeKey ?? '', /^prestashop:shop2:/);
    });

    test('a new credit slip emits order_slip.created once', async () => {
      const p = poller(f.conn, f.c);
      await p.poll();
      const { id_order } = await f.emu.checkout(order());
      await p.poll();
      const body = xmlBody('order_slip', { id_customer: '1', id_order: String(id_order), conversion_rate: '1', total_products_tax_excl: '5', total_products_tax_incl: '6.05', total_shipping_tax_excl: '0', total_shipping_tax_incl: '0', amount: '6.05', partial: '1' });
      assert.equal((await ws(f.emu, 'order_slip', { method: 'POST', body })).status, 201);
      const events = await p.poll();
      assert.deepEqual(types(events), ['order_slip.created']);
      assert.equal(events[0]?.entityKey, `shop:order:${id_order}`);
      assert.deepEqual(await p.poll(), []);
    });

    test('since=all replays existing orders on the first poll', async () => {
      const p = poller(f.conn, f.c, { since: 'all' });
      const events = await p.poll();
      assert.ok(events.filter((e) => e.type === 'order.confirmed').length >= 3);
    });

    test('the stored cursor keeps only the keys its next window can read again', async () => {
      const p = poller(f.conn, f.c, { overlapSeconds: 1 });
      await p.poll();
      const ids: number[] = [];
      for (let i = 0; i < 20; i++) ids.push((await f.emu.checkout(order())).id_order);
      await p.poll();
      // New versions of the same orders: the keys of the old versions are never read again.
      for (const id of ids) await ws(f.emu, 'order_histories', { method: 'POST', body: xmlBody('order_history', { id_order: String(id), id_order_state: '3' }) });
      await p.poll();
      const seenOrders = () => (JSON.parse(p.cursor ?? '{}') as { orders: { seen: string[] } }).orders.seen;
      assert.ok(seenOrders().length >= 20, `seen ${seenOrders().length}`);
      const first = (JSON.parse(p.cursor ?? '{}') as { orders: { at: string } }).orders.at;
      // Wait on the shop clock (not a fixed sleep) until a new order lands 2 s after the burst.
      let at = first;
      while (at < minusSeconds(first, -2)) {
        await f.emu.checkout(order());
        await p.poll();
        at = (JSON.parse(p.cursor ?? '{}') as { orders: { at: string } }).orders.at;
        if (at < minusSeconds(first, -2)) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(seenOrders().every((k) => (k.split('@')[1] ?? '') >= minusSeconds(at, 1)), `keys older than the window were dropped: ${seenOrders().join(' ')} at ${at}`);
      assert.ok(seenOrders().length < 20, `seen ${seenOrders().length}`);
    });

    for (const restart of [false, true]) {
      test(`a burst of 1,000 orders, many in one second of date_upd, is emitted exactly once per order${restart ? ', across a restart from the stored cursor mid-burst' : ''}`, async () => {
        let p = poller(f.conn, f.c, { pageSize: 50 });
        await p.poll();
        const confirmed = new Map<number, number>();
        const keys = new Set<string>();
        const created: number[] = [];
        let clients = [f.c];
        const absorb = (events: EmittedEvent[]) => {
          for (const e of events) {
            assert.ok(!keys.has(e.dedupeKey), `dedupe key emitted twice: ${e.dedupeKey}`);
            keys.add(e.dedupeKey);
            if (e.type === 'order.confirmed') {
              const id = (e.payload as { id: number }).id;
              confirmed.set(id, (confirmed.get(id) ?? 0) + 1);
            }
          }
        };
        let producing = true;
        const producer = (async () => {
          for (let i = 0; i < 1000; i++) {
            created.push((await f.emu.checkout(order({ lines: [{ reference: 'A00002', quantity: 1 }] }))).id_order);
            if (i % 25 === 0) await tick();
          }
          producing = false;
        })();
        let restarted = false;
        const deadline = Date.now() + 120_000;
        while ((producing || confirmed.size < created.length) && Date.now() < deadline) {
          absorb(await p.poll());
          if (restart && !restarted && created.length >= 500) {
            // A new process: a new client, resuming from the cursor string the engine stored.
            restarted = true;
            const fresh = client(f.conn);
            clients.push(fresh);
            p = poller(f.conn, fresh, { pageSize: 50 }, p.cursor);
          }
          await tick();
        }
        await producer;
        absorb(await p.poll());
        for (const x of clients.slice(1)) x.http.close();
        clients = [];
        assert.equal(created.length, 1000);
        assert.equal(confirmed.size, 1000, 'every order confirmed');
        assert.ok([...confirmed.values()].every((n) => n === 1), 'no order confirmed twice');
        assert.ok(created.every((id) => confirmed.has(id)));
        if (restart) assert.ok(restarted);
      });
    }
  });
}
