/** Webservice transport and authentication, as documented in store-platforms.md §1.1, in 8.x and 1.7 modes. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PrestaShopEmulator } from '../../src/emulators/prestashop/index.ts';
import { KEY, startShop, VERSIONS, ws } from './helpers.ts';

const INACTIVE = 'INACTIVEKEY000000000000000000001';
const NOPERM = 'NOPERMISSIONKEY00000000000000001';
const ORDERS_ONLY = 'ORDERSONLYKEY0000000000000000001';

for (const psVersion of VERSIONS) {
  describe(`PrestaShop ${psVersion} webservice authentication`, () => {
    let emu: PrestaShopEmulator;
    before(async () => {
      emu = await startShop({
        psVersion,
        extraKeys: [
          { key: INACTIVE, active: false, permissions: 'all' },
          { key: NOPERM, active: true, permissions: {} },
          { key: ORDERS_ONLY, active: true, permissions: { orders: ['GET'] } },
        ],
      });
    });
    after(() => emu.close());

    test('a request with no key at all gets a plain-text 401 with the Basic realm', async () => {
      const r = await ws(emu, 'orders', { key: null });
      assert.equal(r.status, 401);
      assert.equal(r.text, '401 Unauthorized');
      assert.match(r.headers.get('www-authenticate') ?? '', /^Basic realm="Welcome to PrestaShop Webservice/);
      assert.equal(r.headers.get('psws-version'), null);
    });

    test('the key is accepted as the Basic user with an empty password, and as ws_key', async () => {
      assert.equal((await ws(emu, 'orders')).status, 200);
      const r = await ws(emu, `orders?ws_key=${KEY}`, { key: null });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-powered-by'), 'PrestaShop Webservice');
      assert.ok(r.headers.get('psws-version')?.startsWith(psVersion === '8' ? '8.' : '1.7'));
      assert.match(r.headers.get('content-sha1') ?? '', /^[0-9a-f]{40}$/);
    });

    test('an empty key is code 17 and a key of the wrong length code 18, both 401', async () => {
      const empty = await ws(emu, 'orders?output_format=JSON', { key: '' });
      assert.equal(empty.status, 401);
      assert.deepEqual(JSON.parse(empty.text), { errors: [{ code: 17, message: 'Authentication key is empty' }] });
      const short = await ws(emu, 'orders', { key: 'ABCDE' });
      assert.equal(short.status, 401);
      assert.match(short.text, /<code><!\[CDATA\[18\]\]><\/code>/);
      assert.match(short.headers.get('www-authenticate') ?? '', /Basic realm/);
    });

    test('an inactive or unknown key gets codes 20 and 21; a key without permissions code 21', async () => {
      for (const key of [INACTIVE, 'UNKNOWNKEY0000000000000000000001']) {
        const r = await ws(emu, 'orders?output_format=JSON', { key });
        assert.equal(r.status, 401);
        assert.deepEqual((JSON.parse(r.text) as { errors: Array<{ code: number }> }).errors.map((e) => e.code), [20, 21]);
      }
      const r = await ws(emu, 'orders?output_format=JSON', { key: NOPERM });
      assert.deepEqual(JSON.parse(r.text), { errors: [{ code: 21, message: 'No permission for this authentication key' }] });
    });

    test('a resource not granted to the key is 401 code 26; a method not granted is 405 code 25', async () => {
      const r = await ws(emu, 'customers?output_format=JSON', { key: ORDERS_ONLY });
      assert.equal(r.status, 401);
      assert.equal((JSON.parse(r.text) as { errors: Array<{ code: number }> }).errors[0]?.code, 26);
      const put = await ws(emu, 'orders/1?output_format=JSON', { key: ORDERS_ONLY, method: 'PUT', body: '<prestashop/>' });
      assert.equal(put.status, 405);
      assert.equal((JSON.parse(put.text) as { errors: Array<{ code: number }> }).errors[0]?.code, 25);
    });

    test('stock_availables refuses POST and DELETE with 405 code 101; an unknown method is code 23', async () => {
      const post = await ws(emu, 'stock_availables?output_format=JSON', { method: 'POST', body: '<prestashop/>' });
      assert.equal(post.status, 405);
      assert.equal((JSON.parse(post.text) as { errors: Array<{ code: number }> }).errors[0]?.code, 101);
      const del = await ws(emu, 'stock_availables/1?ps_method=DELETE&output_format=JSON', { method: 'POST' });
      assert.equal(del.status, 405);
      const weird = await ws(emu, 'orders?ps_method=PURGE&output_format=JSON', { method: 'POST' });
      assert.equal(weird.status, 405);
      assert.equal((JSON.parse(weird.text) as { errors: Array<{ code: number }> }).errors[0]?.code, 23);
    });

    test('PATCH is refused with 405 code 23 in 1.7 and accepted in 8.x', async () => {
      const body = '<prestashop><stock_available><id>1</id><quantity>77</quantity></stock_available></prestashop>';
      const r = await ws(emu, 'stock_availables/1?output_format=JSON', { method: 'PATCH', body });
      if (psVersion === '1.7') {
        assert.equal(r.status, 405);
        assert.deepEqual(JSON.parse(r.text), { errors: [{ code: 23, message: 'Method PATCH is not valid' }] });
      } else {
        assert.equal(r.status, 200);
        const sa = (JSON.parse(r.text) as { stock_available: Record<string, unknown> }).stock_available;
        assert.equal(sa.quantity, '77');
        assert.equal(sa.id_product, '1', 'PATCH keeps the fields it was not given');
      }
    });

    test('with the webservice disabled every call is 503 code 22', async () => {
      emu.setFaults('disabled');
      try {
        const r = await ws(emu, 'orders?output_format=JSON');
        assert.equal(r.status, 503);
        assert.equal((JSON.parse(r.text) as { errors: Array<{ code: number }> }).errors[0]?.code, 22);
      } finally {
        emu.setFaults('');
      }
    });

    test('the API root lists the resources with their allowed methods and schema links', async () => {
      const r = await ws(emu, '');
      assert.equal(r.status, 200);
      assert.match(r.text, /<stock_availables [^>]*get="true" put="true" post="false" patch="(true|false)" delete="false"/);
      assert.match(r.text, /orders\?schema=blank" type="blank"/);
      assert.match(r.text, new RegExp(`<orders [^>]*patch="${psVersion === '8' ? 'true' : 'false'}"`));
    });
  });
}
