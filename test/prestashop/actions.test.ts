/** The connector's actions and error mapping against the emulator, in 8.x and 1.7 modes. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { prestashopConnector, type GetOrderOutput, type PrestaShopClient, type SetOrderStateOutput, type SetStockOutput } from '../../src/connectors/prestashop/index.ts';
import { OrderflowError } from '../../src/core/errors.ts';
import { actionCtx, client, connection, order, runAction, useShop, VERSIONS, ws, wsJson } from './helpers.ts';

/** Records the requests the client sends (`GET orders/N`), until stopped. */
function recordRequests(c: PrestaShopClient): { paths: string[]; stop: () => void } {
  const paths: string[] = [];
  const http = c.http as { request: typeof c.http.request };
  const original = http.request.bind(c.http);
  http.request = (req) => {
    paths.push(`${req.method} ${req.path.replace(/^api\//, '').replace(/\/\d+$/, '/N')}`);
    return original(req);
  };
  return { paths, stop: () => (http.request = original) };
}

for (const psVersion of VERSIONS) {
  describe(`prestashop connector actions (${psVersion})`, () => {
    let orderId = 0;
    const f = useShop(psVersion, async ({ emu }) => {
      orderId = (await emu.checkout(order({ state: 'Awaiting bank wire payment', address: { address1: 'Rua Augusta 10', postcode: '1100-148', city: 'Lisboa', country_iso: 'PT', vat_number: 'PT123' } }))).id_order;
    });

    test('getOrder returns lines, customer, addresses with country ISO, payment module and currency', async () => {
      const o = await runAction<GetOrderOutput>(f.conn, f.c, 'getOrder', { orderId });
      assert.equal(o.id, orderId);
      assert.equal(o.module, 'ps_wirepayment');
      assert.equal(o.payment, 'Bank transfer');
      assert.equal(o.currency, 'EUR');
      assert.equal(o.stateName, 'Awaiting bank wire payment');
      assert.equal(o.deliveryAddress.countryIso, 'PT');
      assert.equal(o.invoiceAddress.vatNumber, 'PT123');
      assert.match(o.customer.email, /@customer\d+\.example\.com$/);
      assert.deepEqual(o.lines.map((l) => [l.reference, l.quantity]), [['A00001', 2], ['A00010', 1]]);
      assert.match(o.totalPaidTaxIncl, /^\d+\.\d{6}$/);
    });

    test('orders read at the same moment share their requests (4 for 6 orders), each read as if alone; a missing one fails alone', async () => {
      const ids = [orderId];
      for (let i = 0; i < 5; i++) ids.push((await f.emu.checkout(order({ state: 'Payment accepted', lines: [{ reference: `A0000${i + 1}`, quantity: i + 1 }] }))).id_order);
      const alone: GetOrderOutput[] = [];
      for (const id of ids) alone.push(await runAction<GetOrderOutput>(f.conn, f.c, 'getOrder', { orderId: id }));
      const aloneMissing = await runAction(f.conn, f.c, 'getOrder', { orderId: 9998 }).catch((e: OrderflowError) => e);
      const { paths, stop } = recordRequests(f.c);
      try {
        const together = await Promise.allSettled([...ids, 9998].map((id) => runAction<GetOrderOutput>(f.conn, f.c, 'getOrder', { orderId: id })));
        assert.deepEqual(together.slice(0, ids.length).map((r) => (r.status === 'fulfilled' ? r.value : r.reason)), alone);
        const missing = together[ids.length]!;
        assert.equal(missing.status, 'rejected');
        assert.equal(missing.reason.code, 'OF_PS_ORDER_NOT_FOUND');
        assert.equal(missing.reason.message, (aloneMissing as OrderflowError).message);
        // One list per resource for the six orders, and the missing order read again alone (its own 404).
        assert.deepEqual([...paths].sort(), ['GET addresses', 'GET customers', 'GET order_details', 'GET orders', 'GET orders/N']);
      } finally {
        stop();
      }
    });

    test('with shareReads: false, orders read at the same moment take their requests one by one', async () => {
      const conn = connection(f.emu, { psVersion, shareReads: false }, 'shop-alone');
      const alone = client(conn);
      const { paths, stop } = recordRequests(alone);
      try {
        await runAction(conn, alone, 'getOrder', { orderId });
        paths.length = 0;
        await Promise.all([orderId, orderId].map((id) => runAction(conn, alone, 'getOrder', { orderId: id })));
        assert.deepEqual([...paths].sort(), ['GET addresses/N', 'GET addresses/N', 'GET customers/N', 'GET customers/N', 'GET order_details', 'GET order_details', 'GET orders/N', 'GET orders/N']);
      } finally {
        stop();
        await alone.http.close();
      }
      assert.throws(() => client(connection(f.emu, { psVersion, shareReads: 'yes' })), { code: 'OF_PS_CONFIG' });
    });

    test('the reads before writes are shared too: 3 orders messaged and moved on at once read threads once and orders once', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) ids.push((await f.emu.checkout(order({ state: 'Payment accepted' }))).id_order);
      const orders = await Promise.all(ids.map((id) => runAction<GetOrderOutput>(f.conn, f.c, 'getOrder', { orderId: id })));
      const { paths, stop } = recordRequests(f.c);
      try {
        await Promise.all(orders.map((o) => runAction(f.conn, f.c, 'addCustomerMessage', { orderId: o.id, message: `Registered as ${o.id}`, known: { customerId: o.customer.id, email: o.customer.email, langId: o.langId, shopId: o.shopId } })));
        const moved = await Promise.all(ids.map((id) => runAction<SetOrderStateOutput>(f.conn, f.c, 'setOrderState', { orderId: id, state: 'Processing in progress' })));
        assert.deepEqual(moved.map((m) => m.changed), [true, true, true]);
        const count = (p: string) => paths.filter((x) => x === p).length;
        assert.deepEqual(
          ['GET customer_threads', 'POST customer_threads', 'POST customer_messages', 'GET orders', 'POST order_histories'].map(count),
          [1, 3, 3, 1, 3],
          paths.join(', '),
        );
      } finally {
        stop();
      }
      for (const id of ids) {
        const threads = (await wsJson<{ customer_threads: Array<Record<string, string>> }>(f.emu, `customer_threads?display=full&filter[id_order]=${id}`)).customer_threads;
        assert.equal(threads.length, 1);
        const msgs = (await wsJson<{ customer_messages: Array<Record<string, string>> }>(f.emu, `customer_messages?display=full&filter[id_customer_thread]=${threads[0]!.id}`)).customer_messages;
        assert.deepEqual(msgs.map((m) => m.message), [`Registered as ${id}`]);
      }
      // Again: the states are current, nothing is written; the messages are found on their threads.
      const again = await Promise.all(ids.map((id) => runAction<SetOrderStateOutput>(f.conn, f.c, 'setOrderState', { orderId: id, state: 'Processing in progress' })));
      assert.deepEqual(again.map((m) => m.changed), [false, false, false]);
    });

    test('getOrder of a missing order is a user error naming the order', async () => {
      await assert.rejects(runAction(f.conn, f.c, 'getOrder', { orderId: 9999 }), (e: OrderflowError) => e.kind === 'user' && e.code === 'OF_PS_ORDER_NOT_FOUND');
    });

    test('setOrderState by name posts an order history; the same state again writes nothing; reconcile finds it', async () => {
      const out = await runAction<SetOrderStateOutput>(f.conn, f.c, 'setOrderState', { orderId, state: 'Payment accepted', sendEmail: true });
      assert.deepEqual([out.stateId, out.changed], [2, true]);
      assert.ok(f.emu.emails().some((e) => e.id_order === orderId && e.template === 'payment'));
      const again = await runAction<SetOrderStateOutput>(f.conn, f.c, 'setOrderState', { orderId, state: 'pago aceptado' });
      assert.equal(again.changed, false, 'names match in any language, case-insensitively');
      const probe = await prestashopConnector.actions.setOrderState?.reconcile?.(actionCtx(f.conn, f.c), { orderId, state: 'Payment accepted' });
      assert.ok(probe);
      const none = await prestashopConnector.actions.setOrderState?.reconcile?.(actionCtx(f.conn, f.c), { orderId, state: 'Shipped' });
      assert.equal(none, undefined);
    });

    test('setOrderState with an unknown state is a user error listing the states', async () => {
      await assert.rejects(runAction(f.conn, f.c, 'setOrderState', { orderId, state: 'Teleported' }), (e: OrderflowError) => e.code === 'OF_PS_UNKNOWN_STATE' && /Payment accepted/.test(e.message));
    });

    test('setTracking writes the order carrier by a full read-modify-write PUT, keeping its other fields', async () => {
      const before = (await wsJson<{ order_carriers: Array<Record<string, string>> }>(f.emu, `order_carriers?display=full&filter[id_order]=${orderId}`)).order_carriers[0];
      await runAction(f.conn, f.c, 'setTracking', { orderId, trackingNumber: 'TRACK-42', sendEmail: true });
      const after = (await wsJson<{ order_carriers: Array<Record<string, string>> }>(f.emu, `order_carriers?display=full&filter[id_order]=${orderId}`)).order_carriers[0];
      assert.equal(after?.tracking_number, 'TRACK-42');
      assert.equal(after?.weight, before?.weight, 'fields not changed survive the PUT');
      assert.ok(f.emu.emails().some((e) => e.template === 'in_transit' && e.vars.shipping_number === 'TRACK-42'));
      const probe = await prestashopConnector.actions.setTracking?.reconcile?.(actionCtx(f.conn, f.c), { orderId, trackingNumber: 'TRACK-42' });
      assert.ok(probe);
    });

    test('addCustomerMessage opens a thread on the order and adds a customer-visible message; reconcile finds the same message', async () => {
      const input = { orderId, message: 'Your ERP order number is 10345' };
      assert.equal(await prestashopConnector.actions.addCustomerMessage?.reconcile?.(actionCtx(f.conn, f.c), input), undefined);
      await runAction(f.conn, f.c, 'addCustomerMessage', input);
      const threads = await wsJson<{ customer_threads: Array<Record<string, unknown>> }>(f.emu, `customer_threads?display=full&filter[id_order]=${orderId}`);
      assert.equal(threads.customer_threads.length, 1);
      const msgs = await wsJson<{ customer_messages: Array<Record<string, unknown>> }>(f.emu, `customer_messages?display=full&filter[id_customer_thread]=${threads.customer_threads[0]?.id}`);
      assert.deepEqual(msgs.customer_messages.map((m) => [m.message, m.private]), [['Your ERP order number is 10345', '0']]);
      const probe = await prestashopConnector.actions.addCustomerMessage?.reconcile?.(actionCtx(f.conn, f.c), input);
      assert.ok(probe);
      await runAction(f.conn, f.c, 'addCustomerMessage', { orderId, message: 'Second message' });
      const threads2 = await wsJson<{ customer_threads: unknown[] }>(f.emu, `customer_threads?display=[id]&filter[id_order]=${orderId}`);
      assert.equal(threads2.customer_threads.length, 1, 'the thread is reused');
    });

    test('what the flow already knows is not read again: ISO codes are cached, a message with `known` makes 3 requests', async () => {
      const second = (await f.emu.checkout(order({ state: 'Payment accepted', address: { address1: 'Rua Nova 2', postcode: '1100-150', city: 'Lisboa', country_iso: 'PT' } }))).id_order;
      const { paths, stop } = recordRequests(f.c);
      try {
        await runAction(f.conn, f.c, 'getOrder', { orderId });
        paths.length = 0;
        const o = await runAction<GetOrderOutput>(f.conn, f.c, 'getOrder', { orderId: second });
        assert.equal(o.currency, 'EUR');
        assert.equal(o.deliveryAddress.countryIso, 'PT');
        assert.ok(o.shopId >= 1 && o.langId >= 1);
        assert.ok(!paths.some((p) => /countries|currencies/.test(p)), `no ISO lookups the second time: ${paths.join(', ')}`);
        paths.length = 0;
        const known = { customerId: o.customer.id, email: o.customer.email, langId: o.langId, shopId: o.shopId };
        await runAction(f.conn, f.c, 'addCustomerMessage', { orderId: second, message: 'Registered as 20001', known });
        assert.deepEqual(paths, ['GET customer_threads', 'POST customer_threads', 'POST customer_messages']);
        const thread = (await wsJson<{ customer_threads: Array<Record<string, string>> }>(f.emu, `customer_threads?display=full&filter[id_order]=${second}`)).customer_threads[0];
        assert.deepEqual([thread?.id_customer, thread?.email, thread?.id_lang, thread?.id_shop], [String(o.customer.id), o.customer.email, String(o.langId), String(o.shopId)]);
      } finally {
        stop();
      }
    });

    test('setStock finds the stock row by product reference and PUTs the full row', async () => {
      const out = await runAction<SetStockOutput>(f.conn, f.c, 'setStock', { reference: 'A00005', quantity: 321 });
      assert.equal(out.quantity, 321);
      const row = (await wsJson<{ stock_available: Record<string, string> }>(f.emu, `stock_availables/${out.stockAvailableId}`)).stock_available;
      assert.deepEqual([row.quantity, row.depends_on_stock, row.out_of_stock, row.id_product], ['321', '0', '2', String(out.productId)]);
      const product = (await wsJson<{ product: Record<string, string> }>(f.emu, `products/${out.productId}`)).product;
      assert.equal(product.quantity, '321', 'products.quantity follows the stock row');
    });

    test('setStock works per combination reference, and an unknown reference is a user error', async () => {
      const comb = await ws(f.emu, 'combinations?output_format=JSON', { method: 'POST', body: '<prestashop><combination><id_product>7</id_product><reference>A00007-XL</reference><minimal_quantity>1</minimal_quantity></combination></prestashop>' });
      assert.equal(comb.status, 201);
      const out = await runAction<SetStockOutput>(f.conn, f.c, 'setStock', { reference: 'A00007', combination: 'A00007-XL', quantity: 9 });
      assert.equal(out.productId, 7);
      assert.ok(out.combinationId > 0);
      await assert.rejects(runAction(f.conn, f.c, 'setStock', { reference: 'NOPE', quantity: 1 }), (e: OrderflowError) => e.code === 'OF_PS_UNKNOWN_REFERENCE');
    });

    test('listOrderSlips reads credit slips with their detail lines; getOrderStates lists the 13 defaults', async () => {
      const empty = await runAction<unknown[]>(f.conn, f.c, 'listOrderSlips', { orderId });
      assert.deepEqual(empty, [], 'both empty-list shapes read as []');
      const body = `<prestashop><order_slip><id_customer>1</id_customer><id_order>${orderId}</id_order><conversion_rate>1</conversion_rate><total_products_tax_excl>10</total_products_tax_excl><total_products_tax_incl>12.1</total_products_tax_incl><total_shipping_tax_excl>0</total_shipping_tax_excl><total_shipping_tax_incl>0</total_shipping_tax_incl><amount>12.1</amount><partial>1</partial><associations><order_slip_details><order_slip_detail><id_order_detail>1</id_order_detail><product_quantity>1</product_quantity><amount_tax_excl>10</amount_tax_excl><amount_tax_incl>12.1</amount_tax_incl></order_slip_detail></order_slip_details></associations></order_slip></prestashop>`;
      assert.equal((await ws(f.emu, 'order_slip', { method: 'POST', body })).status, 201);
      const slips = await runAction<Array<{ orderId: number; details: unknown[] }>>(f.conn, f.c, 'listOrderSlips', { orderId });
      assert.equal(slips.length, 1);
      assert.equal(slips[0]?.details.length, 1);
      const states = await runAction<Array<{ name: string; paid: boolean }>>(f.conn, f.c, 'getOrderStates', {});
      assert.equal(states.length, 13);
    });

    test('errors keep PrestaShop\'s code and message: a bad key is a user error, a disabled webservice transient', async () => {
      const badConn = connection(f.emu, { apiKey: 'WRONGKEY000000000000000000000001' });
      const bad = client(badConn);
      await assert.rejects(runAction(badConn, bad, 'getOrder', { orderId }), (e: OrderflowError) => e.kind === 'user' && e.code === 'OF_PS_AUTH' && e.details?.psCode === 20);
      bad.http.close();
      f.emu.setFaults('disabled');
      try {
        await assert.rejects(runAction(f.conn, f.c, 'getOrder', { orderId }), (e: OrderflowError) => e.kind === 'transient' && e.code === 'OF_PS_WEBSERVICE_DISABLED' && e.details?.psCode === 22);
      } finally {
        f.emu.setFaults('');
      }
    });

    test('a write whose connection drops after the shop applied it is ambiguous, and reconcile then finds the effect', async () => {
      f.emu.setFaults('commit-drop=1');
      try {
        await assert.rejects(runAction(f.conn, f.c, 'setOrderState', { orderId, state: 'Shipped' }), (e: OrderflowError) => e.kind === 'ambiguous');
      } finally {
        f.emu.setFaults('');
      }
      const probe = await prestashopConnector.actions.setOrderState?.reconcile?.(actionCtx(f.conn, f.c), { orderId, state: 'Shipped' });
      assert.ok(probe, 'the state change happened; the retry adopts it');
    });
  });
}
