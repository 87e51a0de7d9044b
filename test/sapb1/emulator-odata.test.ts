import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emulator, raw, sapCode, sapMessage, VERSIONS, type Raw } from './helpers.ts';

const emu = await emulator();
after(() => emu.close());
const q = encodeURIComponent;

for (const v of VERSIONS) {
  describe(`SL OData queries (${v})`, () => {
    let r: Raw;
    before(async () => {
      r = await raw(emu.origin, v);
    });
    const codes = async (path: string, headers?: Record<string, string>) => {
      const a = await r.call('GET', path, undefined, headers);
      assert.equal(a.status, 200, a.text);
      return (a.json.value as Array<Record<string, unknown>>).map((x) => x.CardCode ?? x.ItemCode);
    };

    it('filters with eq, ne, gt, ge, lt, le, and, or, not and parentheses', async () => {
      assert.deepEqual(await codes(`BusinessPartners?$select=CardCode&$filter=${q("CardCode ge 'C0003' and CardCode lt 'C0006'")}`), ['C0003', 'C0004', 'C0005']);
      assert.deepEqual(await codes(`BusinessPartners?$select=CardCode&$filter=${q("(CardCode eq 'C0001' or CardCode eq 'C0002') and not (CardCode ne 'C0002')")}`), ['C0002']);
      assert.deepEqual(await codes(`BusinessPartners?$select=CardCode&$filter=${q("CardCode gt 'C0048' or CardCode le 'C0001'")}`), ['C0001', 'C0049', 'C0050']);
    });

    it('accepts the enum name or the database value in $filter', async () => {
      const byName = await codes(`BusinessPartners?$select=CardCode&$filter=${q("Frozen eq 'tYES'")}`);
      const byValue = await codes(`BusinessPartners?$select=CardCode&$filter=${q("Frozen eq 'Y'")}`);
      assert.deepEqual(byName, ['C0017', 'C0034']);
      assert.deepEqual(byValue, byName);
      assert.equal((await codes(`BusinessPartners?$select=CardCode&$filter=${q("CardType eq 'C'")}`, { 'B1S-PageSize': '0' })).length, 50);
    });

    it('supports only startswith, endswith, contains and substringof, and rejects other functions', async () => {
      assert.deepEqual(await codes(`Items?$select=ItemCode&$filter=${q("startswith(ItemCode,'A0029')")}`), ['A00290', 'A00291', 'A00292', 'A00293', 'A00294', 'A00295', 'A00296', 'A00297', 'A00298', 'A00299']);
      assert.deepEqual(await codes(`Items?$select=ItemCode&$filter=${q("endswith(ItemCode,'299')")}`), ['A00299']);
      assert.deepEqual(await codes(`BusinessPartners?$select=CardCode&$filter=${q("contains(EmailAddress,'buyer17@')")}`), ['C0017']);
      assert.deepEqual(await codes(`BusinessPartners?$select=CardCode&$filter=${q("substringof('buyer17@',EmailAddress)")}`), ['C0017']);
      const bad = await r.call('GET', `Items?$filter=${q("tolower(ItemCode) eq 'a00001'")}`);
      assert.equal(bad.status, 400);
      assert.match(sapMessage(bad), /not supported/);
    });

    it('compares strings case-sensitively unless B1S-CaseInsensitive is true', async () => {
      const f = `BusinessPartners?$select=CardCode&$filter=${q("EmailAddress eq 'BUYER3@CUSTOMER3.EXAMPLE.COM'")}`;
      assert.deepEqual(await codes(f), []);
      assert.deepEqual(await codes(f, { 'B1S-CaseInsensitive': 'true' }), ['C0003']);
    });

    it('compares dates without their time part, in every accepted literal form', async () => {
      const today = new Date().toISOString().slice(0, 10);
      for (const lit of [`'${today}'`, `'${today.replace(/-/g, '')}'`, `'${today}T23:59:59'`, `datetime'${today}T00:00:00'`]) {
        assert.equal((await codes(`Items?$select=ItemCode&$top=5&$filter=${q(`UpdateDate eq ${lit}`)}`)).length, 5, lit);
      }
    });

    it('matches null with eq null', async () => {
      assert.equal((await codes(`Items?$select=ItemCode&$top=3&$filter=${q('ForeignName eq null')}`)).length, 3);
    });

    it('rejects an unknown property with 400', async () => {
      const a = await r.call('GET', `Items?$filter=${q("Nope eq 'x'")}`);
      assert.equal(a.status, 400);
      assert.match(sapMessage(a), /Property 'Nope' of 'Item' is invalid/);
    });

    it('projects with $select and orders with $orderby on several keys', async () => {
      const a = await r.call('GET', `Items?$select=ItemCode,QuantityOnStock&$orderby=${q('QuantityOnStock desc,ItemCode asc')}&$top=3`);
      const rows = a.json.value as Array<Record<string, unknown>>;
      assert.deepEqual(Object.keys(rows[0]!).filter((k) => !k.startsWith('@')), ['ItemCode', 'QuantityOnStock']);
      const stocks = rows.map((x) => x.QuantityOnStock as number);
      assert.deepEqual(stocks, [...stocks].sort((x, y) => y - x));
    });

    it('applies $skip before $top', async () => {
      assert.deepEqual(await codes('Items?$select=ItemCode&$skip=10&$top=2'), ['A00011', 'A00012']);
    });

    it('pages by 20 with a relative next link in the version annotation, and follows it to the end', async () => {
      let a = await r.call('GET', 'Items?$select=ItemCode');
      assert.equal(a.json.value.length, 20);
      const key = v === 'v1' ? 'odata.nextLink' : '@odata.nextLink';
      assert.match(a.json[key], new RegExp(`^/b1s/${v}/Items\\?.*\\$skip=20`));
      let seen = a.json.value.length;
      while (a.json[key]) {
        a = await r.call('GET', `${emu.origin}${a.json[key]}`.replace(r.base, ''));
        seen += a.json.value.length;
      }
      assert.equal(seen, 300);
    });

    it('honours Prefer: odata.maxpagesize with Preference-Applied, and B1S-PageSize 0 as no paging', async () => {
      const a = await r.call('GET', 'Items?$select=ItemCode', undefined, { Prefer: 'odata.maxpagesize=50' });
      assert.equal(a.json.value.length, 50);
      assert.equal(a.headers.get('preference-applied'), 'odata.maxpagesize=50');
      const all = await r.call('GET', 'Items?$select=ItemCode', undefined, { 'B1S-PageSize': '0' });
      assert.equal(all.json.value.length, 300);
      assert.equal(all.json['odata.nextLink'] ?? all.json['@odata.nextLink'], undefined);
    });

    it('answers /$count with a plain number, with or without $filter', async () => {
      assert.equal((await r.call('GET', 'Items/$count')).text, '300');
      assert.equal((await r.call('GET', `BusinessPartners/$count?$filter=${q("Frozen eq 'tYES'")}`)).text, '2');
    });

    it(v === 'v1' ? 'adds odata.count as a string with $inlinecount=allpages' : 'adds @odata.count with $count=true', async () => {
      const a = await r.call('GET', v === 'v1' ? 'Warehouses?$inlinecount=allpages' : 'Warehouses?$count=true');
      if (v === 'v1') assert.equal(a.json['odata.count'], '2');
      else assert.equal(a.json['@odata.count'], 2);
    });

    it('reads an entity by key in every key form, and answers a missing one 404 / -2028', async () => {
      for (const p of ["BusinessPartners('C0001')", "BusinessPartners(CardCode='C0001')"]) {
        const a = await r.call('GET', p);
        assert.equal(a.status, 200);
        assert.equal(a.json.CardCode, 'C0001');
      }
      const missing = await r.call('GET', 'Orders(999999)');
      assert.equal(missing.status, 404);
      assert.equal(sapMessage(missing), 'No matching records found (ODBC -2028)');
      assert.equal(missing.json.error.code, v === 'v1' ? -2028 : '-2028');
    });

    it('annotates an entity with the version context and ETag', async () => {
      const a = await r.call('GET', "Items('A00001')");
      assert.match(a.headers.get('etag') ?? '', /^W\/"[0-9A-F]{40}"$/);
      if (v === 'v1') assert.match(a.json['odata.metadata'], /#Items\/@Element$/);
      else {
        assert.match(a.json['@odata.context'], /#Items\/\$entity$/);
        assert.equal(a.json['@odata.etag'], a.headers.get('etag'));
        assert.match(a.json.UpdateDate, /^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
      }
      if (v === 'v1') assert.match(a.json.UpdateDate, /^\d{4}-\d{2}-\d{2}$/);
    });
  });
}
