import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseTarget } from '../../src/emulators/sapb1/http-request.ts';
import { emulator, raw, type Raw } from './helpers.ts';

const emu = await emulator();
after(() => emu.close());
const q = encodeURIComponent;

describe('SL emulator: request targets', () => {
  it('splits a target into path and query exactly as WHATWG URL does', () => {
    const targets = [
      '/b1s/v1/Items',
      '/b1s/v1/Items?$filter=ItemCode%20eq%20%27A00001%27&$select=ItemCode',
      "/b1s/v1/BusinessPartners('C0001')?$select=CardCode,CreditLimit",
      "/b1s/v1/Items?$filter=ItemCode eq 'A 1'&x=a+b&y=%zz&&z",
      '/b1s/v1/Items??a=1',
      '/b1s/v1/a/../Items?x=1',
      '/b1s/v1/a/%2e%2E/Items',
      '/b1s/v1/Items#frag?x=1',
      '//host/b1s/v1/Items',
      '/b1s/v1/Ité ms?q=é',
      '/b1s/v1\\Items',
      '/b1s/v1/"Items"?a="b"',
    ];
    for (const t of targets) {
      const url = new URL(t, 'http://x');
      const got = parseTarget(t);
      assert.equal(decodeURIComponent(got.pathname), decodeURIComponent(url.pathname), t);
      assert.deepEqual([...got.query], [...url.searchParams], t);
    }
  });
});

describe('SL emulator: $filter on the key', () => {
  let r: Raw;
  before(async () => {
    r = await raw(emu.origin, 'v1');
  });
  const codes = async (filter: string, headers?: Record<string, string>) => {
    const a = await r.call('GET', `Items?$select=ItemCode&$filter=${q(filter)}`, undefined, { 'B1S-PageSize': '0', ...headers });
    assert.equal(a.status, 200, a.text);
    return (a.json.value as Array<{ ItemCode: string }>).map((x) => x.ItemCode);
  };

  it('answers a disjunction of key equalities in key order, each item once, unknown keys left out', async () => {
    assert.deepEqual(await codes("ItemCode eq 'A00003' or ItemCode eq 'A00001' or ItemCode eq 'A00003' or ItemCode eq 'Z9'"), ['A00001', 'A00003']);
    assert.deepEqual(await codes("'A00002' eq ItemCode"), ['A00002']);
  });

  it('applies the rest of the filter to the rows the keys name', async () => {
    assert.deepEqual(await codes("(ItemCode eq 'A00004' or ItemCode eq 'A00005') and ItemCode ne 'A00004'"), ['A00005']);
    assert.deepEqual(await codes("ItemCode eq 'A00006' and ItemCode eq 'A00007'"), []);
    assert.deepEqual(await codes("ItemCode eq 'A00008' or startswith(ItemCode,'A0029')"), ['A00008', 'A00290', 'A00291', 'A00292', 'A00293', 'A00294', 'A00295', 'A00296', 'A00297', 'A00298', 'A00299']);
    assert.equal((await codes("not (ItemCode eq 'A00009')")).length, 299);
  });

  it('compares case-insensitively with B1S-CaseInsensitive, and a number with the key as text', async () => {
    assert.deepEqual(await codes("ItemCode eq 'a00010' or ItemCode eq 'A00011'"), ['A00011']);
    assert.deepEqual(await codes("ItemCode eq 'a00010' or ItemCode eq 'A00011'", { 'B1S-CaseInsensitive': 'true' }), ['A00010', 'A00011']);
    assert.deepEqual(await codes('ItemCode eq 12'), []);
  });
});
