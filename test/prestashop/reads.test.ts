/** GET parameters and response shapes (store-platforms.md §1.3, §1.4, §1.6), in 8.x and 1.7 modes. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PrestaShopEmulator } from '../../src/emulators/prestashop/index.ts';
import { errorCode, order, startShop, VERSIONS, ws, wsJson } from './helpers.ts';

type Rows = { orders: Array<Record<string, unknown>> };

for (const psVersion of VERSIONS) {
  describe(`PrestaShop ${psVersion} reads`, () => {
    let emu: PrestaShopEmulator;
    const ids: number[] = [];
    before(async () => {
      emu = await startShop({ psVersion });
      for (let i = 0; i < 5; i++) ids.push((await emu.checkout(order({ state: i === 4 ? 'Canceled' : 'Payment accepted' }))).id_order);
    });
    after(() => emu.close());

    test('XML is the default, with CDATA values, xlinks on foreign keys and the order_rows association', async () => {
      const r = await ws(emu, `orders/${ids[0]}`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /xml/);
      assert.match(r.text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<prestashop xmlns:xlink="http:\/\/www.w3.org\/1999\/xlink">/);
      assert.match(r.text, /<id_customer xlink:href="http:\/\/127.0.0.1:\d+\/api\/customers\/\d+"><!\[CDATA\[\d+\]\]><\/id_customer>/);
      assert.match(r.text, /<order_rows nodeType="order_row" virtualEntity="true"[^>]*>\n\t<order_row>/);
    });

    test('GET /_emulator/stats counts the webservice requests answered, not its own endpoints', async () => {
      const stats = async () => ((await (await fetch(`${emu.url}/_emulator/stats`)).json()) as { requests: number }).requests;
      const before = await stats();
      await ws(emu, `orders/${ids[0]}`);
      await ws(emu, 'orders?filter[id]=[999]');
      await fetch(`${emu.url}/_emulator/faults`);
      assert.equal((await stats()) - before, 2);
    });

    test('a list without display gives ids and xlinks only; an empty XML list is an empty element', async () => {
      const r = await ws(emu, 'orders');
      assert.match(r.text, /<orders>\n<order id="1" xlink:href="[^"]+\/api\/orders\/1"\/>/);
      const empty = await ws(emu, 'orders?filter[id]=[999]');
      assert.match(empty.text, /<orders>\n<\/orders>/);
    });

    test('JSON: a single object under its singular name, id a number and every other value a string with 6 decimals for money', async () => {
      const j = await wsJson<{ order: Record<string, unknown> }>(emu, `orders/${ids[0]}`);
      assert.equal(j.order.id, ids[0]);
      assert.equal(typeof j.order.id_customer, 'string');
      assert.match(String(j.order.total_paid_tax_incl), /^\d+\.\d{6}$/);
      assert.equal(j.order.delivery_date, '0000-00-00 00:00:00');
      const rows = (j.order.associations as { order_rows: Array<Record<string, unknown>> }).order_rows;
      assert.equal(rows.length, 2);
      assert.equal(rows[0]?.product_reference, 'A00001');
    });

    test('JSON with display is the plural array, even for one id; output format can come from a header', async () => {
      const j = await wsJson<Rows>(emu, `orders/${ids[0]}?display=full`);
      assert.equal(j.orders.length, 1);
      const r = await ws(emu, 'orders?display=[id,reference]', { headers: { 'Output-Format': 'JSON' } });
      const list = JSON.parse(r.text) as Rows;
      assert.deepEqual(Object.keys(list.orders[0] ?? {}), ['id', 'reference']);
    });

    test(`an empty JSON list is ${psVersion === '1.7' ? 'a bare [] (the 1.7 quirk)' : '{"orders":[]}'}`, async () => {
      const r = await ws(emu, 'orders?display=full&filter[id]=[999]&output_format=JSON');
      assert.equal(r.text, psVersion === '1.7' ? '[]' : '{"orders":[]}');
    });

    test('a missing id is 404 with an empty body', async () => {
      const r = await ws(emu, 'orders/9999?output_format=JSON');
      assert.equal(r.status, 404);
      assert.equal(r.text, '');
    });

    test('filters: exact, OR, inclusive interval, LIKE, strict > and <, and not-equal', async () => {
      const get = async (f: string) => (await wsJson<Rows | []>(emu, `orders?display=[id]&${f}`));
      const idsOf = (j: Rows | []) => (Array.isArray(j) ? [] : j.orders.map((o) => o.id));
      assert.deepEqual(idsOf(await get(`filter[id]=${ids[1]}`)), [ids[1]]);
      assert.deepEqual(idsOf(await get(`filter[id]=[${ids[0]}|${ids[2]}]`)), [ids[0], ids[2]]);
      assert.deepEqual(idsOf(await get(`filter[id]=[${ids[3]},${ids[1]}]`)), [ids[1], ids[2], ids[3]], 'BETWEEN is inclusive at both ends, values sorted');
      assert.deepEqual(idsOf(await get(`filter[id]=>[${ids[3]}]`)), [ids[4]]);
      assert.deepEqual(idsOf(await get(`filter[id]=<[${ids[1]}]`)), [ids[0]]);
      assert.deepEqual(idsOf(await get(`filter[id]=![${ids[0]}|${ids[1]}]`)), [ids[2], ids[3], ids[4]]);
      assert.equal(idsOf(await get('filter[module]=[ps_wire]%')).length, 5);
      assert.equal(idsOf(await get('filter[module]=%[payment]')).length, 5);
      assert.equal(idsOf(await get('filter[payment]=%[TRANSF]%')).length, 5, 'LIKE is case-insensitive');
      assert.deepEqual(idsOf(await get('filter[current_state]=[6]')), [ids[4]]);
    });

    test('exact filters on ids and foreign keys (answered from indexes) match what a scan finds, in id order', async () => {
      const details = async (f: string) => (await wsJson<{ order_details: Array<{ id: number; id_order: string }> } | []>(emu, `order_details?display=[id,id_order]&${f}`));
      const rows = (j: { order_details: Array<{ id: number; id_order: string }> } | []) => (Array.isArray(j) ? [] : j.order_details.map((d) => [d.id_order, d.id]));
      const all = rows(await details('sort=[id_ASC]'));
      const of = (...orders: number[]) => all.filter(([o]) => orders.map(String).includes(String(o)));
      assert.deepEqual(rows(await details(`filter[id_order]=[${ids[2]}|${ids[0]}]`)), of(ids[0]!, ids[2]!));
      assert.deepEqual(rows(await details(`filter[id_order]=${ids[1]}`)), of(ids[1]!));
      assert.deepEqual(rows(await details(`filter[id_order]=0${ids[1]}`)), of(ids[1]!), 'a value MySQL compares as the same number');
      assert.deepEqual(rows(await details('filter[id_order]=[999999]')), []);
      const [firstDetail] = of(ids[3]!);
      const put = await ws(emu, `order_details/${firstDetail![1]}`, { method: 'PATCH', body: `<prestashop><order_detail><id>${firstDetail![1]}</id><id_order>${ids[2]}</id_order></order_detail></prestashop>` });
      if (psVersion === '8') {
        assert.equal(put.status, 200);
        assert.ok(rows(await details(`filter[id_order]=${ids[2]}`)).some(([, id]) => id === firstDetail![1]), 'a changed foreign key is found under its new value');
        assert.ok(!rows(await details(`filter[id_order]=${ids[3]}`)).some(([, id]) => id === firstDetail![1]), 'and no longer under the old one');
      }
    });

    test('date fields need date=1: without it a filter is code 32 and a sort code 38', async () => {
      const f = await ws(emu, 'orders?filter[date_upd]=[2000-01-01 00:00:00,2100-01-01 00:00:00]&output_format=JSON');
      assert.equal(f.status, 400);
      assert.equal(errorCode(f.text), 32);
      assert.match(f.text, /Did you mean/);
      const s = await ws(emu, 'orders?sort=[date_upd_ASC]&output_format=JSON');
      assert.equal(errorCode(s.text), 38);
      const ok = await wsJson<Rows>(emu, 'orders?display=[id,date_upd]&date=1&filter[date_upd]=[2000-01-01 00:00:00,2100-01-01 00:00:00]&sort=[date_upd_DESC,id_DESC]');
      assert.equal(ok.orders.length, 5);
      assert.equal(ok.orders[0]?.id, ids[4]);
    });

    test('malformed parameters get their codes: unknown filter 32, empty filter 33, unknown display 35, bad sort 37, bad limit 39, bad schema 28', async () => {
      const cases: Array<[string, number]> = [
        ['orders?filter[nope]=1', 32], ['orders?filter[id]=', 33], ['orders?display=[id,nope]', 35], ['orders?sort=[id_UP]', 37],
        ['orders?limit=1,2,3', 39], ['orders?schema=full', 28],
      ];
      for (const [path, expected] of cases) {
        const r = await ws(emu, `${path}&output_format=JSON`);
        assert.equal(r.status, 400, path);
        assert.equal(errorCode(r.text), expected, path);
      }
    });

    test('sort and limit with an offset page through the list; there is no total count', async () => {
      const page1 = await wsJson<Rows>(emu, 'orders?display=[id]&sort=[id_DESC]&limit=0,2');
      const page2 = await wsJson<Rows>(emu, 'orders?display=[id]&sort=[id_DESC]&limit=2,2');
      assert.deepEqual([...page1.orders, ...page2.orders].map((o) => o.id), [ids[4], ids[3], ids[2], ids[1]]);
      const short = await wsJson<Rows>(emu, 'orders?display=[id]&limit=4,10');
      assert.equal(short.orders.length, 1);
    });

    test('schema=blank gives the empty object and synopsis adds required and format', async () => {
      const blank = await ws(emu, 'order_histories?schema=blank');
      assert.match(blank.text, /<order_history>\n\t<id><\/id>\n\t<id_employee><\/id_employee>/);
      const syn = await ws(emu, 'order_histories?schema=synopsis');
      assert.match(syn.text, /<id_order_state required="true" format="isUnsignedId"><\/id_order_state>/);
    });

    test('the 13 default order states carry their flags; multilingual names follow the language parameter', async () => {
      const j = await wsJson<{ order_states: Array<Record<string, unknown>> }>(emu, 'order_states?display=full&language=1');
      assert.equal(j.order_states.length, 13);
      const paid = j.order_states.find((s) => s.name === 'Payment accepted');
      assert.deepEqual([paid?.id, paid?.logable, paid?.paid, paid?.invoice], [2, '1', '1', '1']);
      const cod = j.order_states.find((s) => s.name === 'Awaiting Cash On Delivery validation');
      assert.equal(cod?.send_email, '0');
      const both = await wsJson<{ order_state: { name: unknown } }>(emu, 'order_states/2');
      assert.deepEqual(both.order_state.name, [{ id: 1, value: 'Payment accepted' }, { id: 2, value: 'Pago aceptado' }]);
    });

    test('dates are shop-local without zone', async () => {
      const j = await wsJson<{ order: Record<string, unknown> }>(emu, `orders/${ids[0]}`);
      assert.match(String(j.order.date_upd), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    });

    if (psVersion === '8') {
      test('Local-Content-Sha1 equal to the previous Content-Sha1 gives 304 (8.x)', async () => {
        const first = await ws(emu, `orders/${ids[0]}`);
        const again = await ws(emu, `orders/${ids[0]}`, { headers: { 'Local-Content-Sha1': first.headers.get('content-sha1') ?? '' } });
        assert.equal(again.status, 304);
      });
    }
  });
}
