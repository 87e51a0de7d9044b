/** Writes and their side effects (store-platforms.md §1.5, §1.7), in 8.x and 1.7 modes. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PrestaShopEmulator } from '../../src/emulators/prestashop/index.ts';
import { errorCode, order, startShop, VERSIONS, ws, wsJson, xmlBody } from './helpers.ts';


for (const psVersion of VERSIONS) {
  describe(`PrestaShop ${psVersion} writes`, () => {
    let emu: PrestaShopEmulator;
    let orderId = 0;
    before(async () => {
      emu = await startShop({ psVersion });
      orderId = (await emu.checkout(order({ state: 'Awaiting bank wire payment' }))).id_order;
    });
    after(() => emu.close());

    test('POST order_histories returns 201 and changes the order state, valid and date_upd; sendemail=1 records the state email', async () => {
      const before = (await wsJson<{ order: Record<string, string> }>(emu, `orders/${orderId}`)).order;
      assert.equal(before.valid, '0');
      const r = await ws(emu, 'order_histories?sendemail=1&output_format=JSON', { method: 'POST', body: xmlBody('order_history', { id_order: String(orderId), id_order_state: '2' }) });
      assert.equal(r.status, 201);
      const h = (JSON.parse(r.text) as { order_history: Record<string, unknown> }).order_history;
      assert.equal(h.id_order_state, '2');
      const after = (await wsJson<{ order: Record<string, string> }>(emu, `orders/${orderId}`)).order;
      assert.equal(after.current_state, '2');
      assert.equal(after.valid, '1');
      assert.ok(String(after.date_upd) >= String(before.date_upd));
      assert.notEqual(after.invoice_number, '0', 'an invoice state creates the invoice');
      const mail = emu.emails().find((e) => e.id_order === orderId && e.template === 'payment');
      assert.ok(mail, 'the payment email was recorded');
      assert.match(mail.to, /@customer\d+\.example\.com$/);
    });

    test('POST order_histories without sendemail sends nothing; a missing required field is 400 code 41 in the documented XML shape', async () => {
      const count = emu.emails().length;
      const r = await ws(emu, 'order_histories', { method: 'POST', body: xmlBody('order_history', { id_order: String(orderId), id_order_state: '3' }) });
      assert.equal(r.status, 201);
      assert.equal(emu.emails().length, count);
      const bad = await ws(emu, 'order_histories', { method: 'POST', body: xmlBody('order_history', { id_order_state: '4' }) });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /<errors>\n<error>\n<code><!\[CDATA\[41\]\]><\/code>\n<message><!\[CDATA\[parameter "id_order" required\]\]><\/message>/);
    });

    test('POST with an id is 400 code 91; malformed XML is 500 code 127', async () => {
      const r = await ws(emu, 'order_histories?output_format=JSON', { method: 'POST', body: xmlBody('order_history', { id: '5', id_order: String(orderId), id_order_state: '2' }) });
      assert.equal(r.status, 400);
      assert.equal(errorCode(r.text), 91);
      const m = await ws(emu, 'order_histories?output_format=JSON', { method: 'POST', body: '<prestashop><order_history><id_order>1</order_history>' });
      assert.equal(m.status, 500);
      assert.equal(errorCode(m.text), 127);
    });

    test('PUT needs the body id (code 90), an unknown body id is 404 code 92, and fields left out become NULL', async () => {
      const noId = await ws(emu, 'order_carriers/1?output_format=JSON', { method: 'PUT', body: xmlBody('order_carrier', { id_order: '1', id_carrier: '2' }) });
      assert.equal(noId.status, 400);
      assert.equal(errorCode(noId.text), 90);
      const unknown = await ws(emu, 'order_carriers/1?output_format=JSON', { method: 'PUT', body: xmlBody('order_carrier', { id: '999', id_order: '1', id_carrier: '2' }) });
      assert.equal(unknown.status, 404);
      assert.equal(errorCode(unknown.text), 92);
      const carrierId = (await wsJson<{ order_carriers: Array<{ id: number }> }>(emu, `order_carriers?display=[id]&filter[id_order]=${orderId}`)).order_carriers[0]?.id;
      const put = await ws(emu, `order_carriers/${carrierId}?output_format=JSON`, { method: 'PUT', body: xmlBody('order_carrier', { id: String(carrierId), id_order: String(orderId), id_carrier: '2', tracking_number: 'TRK1' }) });
      assert.equal(put.status, 200);
      const oc = (JSON.parse(put.text) as { order_carrier: Record<string, string> }).order_carrier;
      assert.equal(oc.tracking_number, 'TRK1');
      assert.equal(oc.weight, '', 'weight was left out, so it is NULL now');
      const o = (await wsJson<{ order: Record<string, string> }>(emu, `orders/${orderId}`)).order;
      assert.equal(o.shipping_number, 'TRK1', 'orders.shipping_number mirrors order_carrier.tracking_number');
    });

    test('values are stored verbatim: whitespace inside a tag is kept', async () => {
      const sa = (await wsJson<{ stock_availables: Array<Record<string, string>> }>(emu, 'stock_availables?display=full&filter[id_product]=2')).stock_availables[0];
      assert.ok(sa);
      const body = xmlBody('stock_available', { id: String(sa.id), id_product: '2', id_product_attribute: '0', quantity: '5', depends_on_stock: '0', out_of_stock: '2', location: '\n  shelf A  ' });
      const r = await ws(emu, `stock_availables/${sa.id}?output_format=JSON`, { method: 'PUT', body });
      assert.equal(r.status, 200);
      assert.equal((JSON.parse(r.text) as { stock_available: Record<string, string> }).stock_available.location, '\n  shelf A  ');
    });

    test('a read-only field in a write is 400 code 93 (products.quantity is written through stock_availables)', async () => {
      const r = await ws(emu, 'products/1?output_format=JSON', { method: 'PUT', body: xmlBody('product', { id: '1', price: '10', quantity: '5' }) });
      assert.equal(r.status, 400);
      assert.equal(errorCode(r.text), 93);
    });

    test('PUT orders with a new current_state writes a history row', async () => {
      const before = await wsJson<{ order_histories: unknown[] }>(emu, `order_histories?display=[id]&filter[id_order]=${orderId}`);
      const o = (await wsJson<{ order: Record<string, unknown> }>(emu, `orders/${orderId}`)).order;
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(o)) if (k !== 'associations') fields[k] = String(v);
      fields.current_state = '4';
      const r = await ws(emu, `orders/${orderId}?output_format=JSON`, { method: 'PUT', body: xmlBody('order', fields) });
      assert.equal(r.status, 200, r.text);
      const afterList = await wsJson<{ order_histories: unknown[] }>(emu, `order_histories?display=[id]&filter[id_order]=${orderId}`);
      assert.equal(afterList.order_histories.length, before.order_histories.length + 1);
      assert.equal((JSON.parse(r.text) as { order: Record<string, string> }).order.current_state, '4');
    });

    test('DELETE answers 200 with an empty body; an unknown id is 404 code 87', async () => {
      const t = await ws(emu, 'customer_threads?output_format=JSON', { method: 'POST', body: xmlBody('customer_thread', { id_lang: '1', id_contact: '0', token: 'abc', id_order: String(orderId) }) });
      assert.equal(t.status, 201);
      const id = (JSON.parse(t.text) as { customer_thread: { id: number } }).customer_thread.id;
      const del = await ws(emu, `customer_threads/${id}`, { method: 'DELETE' });
      assert.equal(del.status, 200);
      assert.equal(del.text, '');
      const again = await ws(emu, `customer_threads/${id}?output_format=JSON`, { method: 'DELETE' });
      assert.equal(again.status, 404);
      assert.equal(errorCode(again.text), 87);
    });

    test('the storefront checkout prices lines from the catalogue with tax per line and flat shipping, and decrements stock', async () => {
      const stockBefore = (await wsJson<{ stock_availables: Array<Record<string, string>> }>(emu, 'stock_availables?display=full&filter[id_product]=3')).stock_availables[0]?.quantity;
      const { id_order, reference } = await emu.checkout(order({ lines: [{ reference: 'A00003', quantity: 3 }] }));
      assert.match(reference, /^[A-Z]{9}$/);
      const o = (await wsJson<{ order: Record<string, unknown> }>(emu, `orders/${id_order}`)).order;
      const product = (await wsJson<{ product: Record<string, string> }>(emu, 'products/3')).product;
      const net = (Number(product.price) * 3).toFixed(2);
      assert.equal(Number(o.total_products).toFixed(2), net);
      assert.equal(o.total_shipping_tax_excl, '4.500000');
      assert.equal(o.total_shipping_tax_incl, '5.450000');
      const stockAfter = (await wsJson<{ stock_availables: Array<Record<string, string>> }>(emu, 'stock_availables?display=full&filter[id_product]=3')).stock_availables[0]?.quantity;
      assert.equal(Number(stockAfter), Number(stockBefore) - 3);
    });

    test('faults: commit-drop applies the write and then drops the connection', async () => {
      emu.setFaults('commit-drop=1');
      try {
        await assert.rejects(ws(emu, 'order_histories', { method: 'POST', body: xmlBody('order_history', { id_order: String(orderId), id_order_state: '5' }) }));
      } finally {
        emu.setFaults('');
      }
      const o = (await wsJson<{ order: Record<string, string> }>(emu, `orders/${orderId}`)).order;
      assert.equal(o.current_state, '5');
    });

    test('faults: error-rate answers 500 code 2 before acting, and latency delays answers', async () => {
      emu.setFaults({ errorRate: 1 });
      const r = await ws(emu, 'orders?output_format=JSON');
      emu.setFaults('latency=60');
      const t0 = performance.now();
      await ws(emu, 'orders');
      const took = performance.now() - t0;
      emu.setFaults('');
      assert.equal(r.status, 500);
      assert.equal(errorCode(r.text), 2);
      assert.ok(took >= 55, `latency applied (${took} ms)`);
    });
  });
}
