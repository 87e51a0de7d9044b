import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emulator, order, raw, sapCode, sapMessage, VERSIONS, type Raw } from './helpers.ts';

const emu = await emulator();
after(() => emu.close());

for (const v of VERSIONS) {
  describe(`SL writes (${v})`, () => {
    let r: Raw;
    before(async () => {
      r = await raw(emu.origin, v);
    });

    it('answers POST with 201, the entity and its Location; with Prefer: return-no-content with 204', async () => {
      const a = await r.call('POST', 'Orders', order(`W-${v}-1`));
      assert.equal(a.status, 201);
      assert.equal(typeof a.json.DocEntry, 'number');
      assert.match(a.headers.get('location')!, new RegExp(`/Orders\\(${a.json.DocEntry}\\)$`));
      const b = await r.call('POST', 'Orders', order(`W-${v}-2`), { Prefer: 'return-no-content' });
      assert.equal(b.status, 204);
      assert.equal(b.text, '');
      assert.equal(b.headers.get('preference-applied'), 'return-no-content');
      assert.match(b.headers.get('location')!, /\/Orders\(\d+\)$/);
    });

    it('accepts enum database values in bodies and answers with member names', async () => {
      const a = await r.call('POST', 'BusinessPartners', {
        CardCode: `CN-${v}`, CardName: 'New', CardType: 'C', EmailAddress: `n-${v}@x.test`,
        BPAddresses: [{ AddressName: 'BILL', AddressType: 'B', City: 'Madrid', Country: 'ES' }, { AddressName: 'SHIP', AddressType: 'S', City: 'Madrid', Country: 'ES' }],
      });
      assert.equal(a.status, 201, a.text);
      assert.equal(a.json.CardType, 'cCustomer');
      assert.deepEqual(a.json.BPAddresses.map((x: { AddressType: string }) => x.AddressType), ['bo_BillTo', 'bo_ShipTo']);
      const dup = await r.call('POST', 'BusinessPartners', { CardCode: `CN-${v}`, CardName: 'Again' });
      assert.equal(dup.status, 400);
      assert.equal(sapCode(dup), '-10');
      assert.match(sapMessage(dup), /^1320000140 - Business partner code 'CN-v[12]' already assigned/);
    });

    it('rejects an unknown property in a body', async () => {
      const a = await r.call('POST', 'Orders', { ...order(`W-${v}-bad`), Nonsense: 1 });
      assert.equal(a.status, 400);
      assert.match(sapMessage(a), /Property 'Nonsense' of 'Document' is invalid/);
    });

    it('rejects an unknown CardCode, ItemCode or WarehouseCode with 400 in the SAP error shape', async () => {
      const card = await r.call('POST', 'Orders', order('X', undefined, 'NOPE'));
      assert.equal(card.status, 400);
      assert.match(sapMessage(card), /Invalid BP code \[ORDR\.CardCode\] , 'NOPE'/);
      const item = await r.call('POST', 'Orders', order('X', [{ ItemCode: 'ZZZ', Quantity: 1 }]));
      assert.equal(item.status, 400);
      assert.match(sapMessage(item), /ItemCode/);
      const wh = await r.call('POST', 'Orders', order('X', [{ ItemCode: 'A00001', Quantity: 1, WarehouseCode: '99' }]));
      assert.equal(wh.status, 400);
      assert.match(sapMessage(wh), /WarehouseCode/);
      if (v === 'v1') assert.equal(typeof card.json.error.code, 'number');
      else assert.equal(typeof card.json.error.code, 'string');
    });

    it('PATCHes with 204, merging lines by LineNum and keeping omitted ones, and ignores read-only properties', async () => {
      const created = (await r.call('POST', 'Orders', order(`W-${v}-patch`, [{ ItemCode: 'A00001', Quantity: 1 }, { ItemCode: 'A00002', Quantity: 1 }]))).json;
      const p = await r.call('PATCH', `Orders(${created.DocEntry})`, { Comments: 'changed', DocNum: 1, DocumentLines: [{ LineNum: 1, Quantity: 5 }, { ItemCode: 'A00003', Quantity: 2 }] });
      assert.equal(p.status, 204, p.text);
      const after = (await r.call('GET', `Orders(${created.DocEntry})`)).json;
      assert.equal(after.Comments, 'changed');
      assert.equal(after.DocNum, created.DocNum);
      assert.deepEqual(after.DocumentLines.map((l: { LineNum: number; ItemCode: string; Quantity: number }) => [l.LineNum, l.ItemCode, l.Quantity]), [[0, 'A00001', 1], [1, 'A00002', 5], [2, 'A00003', 2]]);
      assert.ok(after.DocTotal > created.DocTotal);
    });

    it('replaces collections on PATCH with B1S-ReplaceCollectionsOnPatch: true', async () => {
      const created = (await r.call('POST', 'Orders', order(`W-${v}-replace`, [{ ItemCode: 'A00001', Quantity: 1 }, { ItemCode: 'A00002', Quantity: 1 }]))).json;
      await r.call('PATCH', `Orders(${created.DocEntry})`, { DocumentLines: [{ LineNum: 1, Quantity: 3 }] }, { 'B1S-ReplaceCollectionsOnPatch': 'true' });
      const after = (await r.call('GET', `Orders(${created.DocEntry})`)).json;
      assert.deepEqual(after.DocumentLines.map((l: { ItemCode: string; Quantity: number }) => [l.ItemCode, l.Quantity]), [['A00002', 3]]);
    });

    it('adds a BP address with a new name and refuses a second one with the same name and type (-2035)', async () => {
      const ok = await r.call('PATCH', "BusinessPartners('C0002')", { BPAddresses: [{ AddressName: `SHIP-${v}`, AddressType: 'bo_ShipTo', City: 'Lyon' }] });
      assert.equal(ok.status, 204, ok.text);
      const dup = await r.call('PATCH', "BusinessPartners('C0002')", { BPAddresses: [{ AddressName: `SHIP-${v}`, AddressType: 'bo_ShipTo', City: 'Paris' }] });
      assert.equal(dup.status, 400);
      assert.equal(sapCode(dup), '-2035');
    });

    it('answers PATCH on a missing key with 404 / -2028 (no upsert)', async () => {
      const a = await r.call('PATCH', "BusinessPartners('NOPE')", { CardName: 'x' });
      assert.equal(a.status, 404);
      assert.equal(sapCode(a), '-2028');
    });

    it('refuses to DELETE an order with -5006', async () => {
      const created = (await r.call('POST', 'Orders', order(`W-${v}-del`))).json;
      const a = await r.call('DELETE', `Orders(${created.DocEntry})`);
      assert.equal(a.status, 400);
      assert.equal(sapCode(a), '-5006');
      assert.equal(sapMessage(a), 'The requested action is not supported for this object.');
    });

    it('honours If-Match: a stale ETag gets 412 / -2039, the current one succeeds and changes the ETag', async () => {
      const first = await r.call('GET', "Items('A00005')");
      const etag = first.headers.get('etag')!;
      assert.equal((await r.call('PATCH', "Items('A00005')", { ForeignName: 'one' }, { 'If-Match': etag })).status, 204);
      const stale = await r.call('PATCH', "Items('A00005')", { ForeignName: 'two' }, { 'If-Match': etag });
      assert.equal(stale.status, 412);
      assert.equal(sapCode(stale), '-2039');
      assert.match(sapMessage(stale), /Another user or another operation modified data/);
      const fresh = (await r.call('GET', "Items('A00005')")).headers.get('etag')!;
      assert.notEqual(fresh, etag);
    });

    it('supports X-HTTP-Method-Override on POST', async () => {
      const a = await r.call('POST', "Items('A00006')", { ForeignName: 'via override' }, { 'X-HTTP-Method-Override': 'PATCH' });
      assert.equal(a.status, 204);
      assert.equal((await r.call('GET', "Items('A00006')")).json.ForeignName, 'via override');
    });

    it('closes, reopens and cancels an order with the bound actions', async () => {
      const o = (await r.call('POST', 'Orders', order(`W-${v}-actions`))).json;
      assert.equal((await r.call('POST', `Orders(${o.DocEntry})/Close`)).status, 204);
      let now = (await r.call('GET', `Orders(${o.DocEntry})`)).json;
      assert.deepEqual([now.DocumentStatus, now.Cancelled], ['bost_Close', 'tNO']);
      const again = await r.call('POST', `Orders(${o.DocEntry})/Close`);
      assert.equal(sapMessage(again), 'Document is already closed');
      assert.equal((await r.call('POST', `Orders(${o.DocEntry})/Reopen`)).status, 204);
      assert.equal((await r.call('POST', `Orders(${o.DocEntry})/Cancel`)).status, 204);
      now = (await r.call('GET', `Orders(${o.DocEntry})`)).json;
      assert.deepEqual([now.DocumentStatus, now.Cancelled], ['bost_Close', 'tYES']);
    });

    it('maintains UpdateDate and UpdateTime on every change', async () => {
      const o = (await r.call('POST', 'Orders', order(`W-${v}-stamp`))).json;
      await fetch(`${emu.origin}/_emulator/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: 90 }) });
      await r.call('PATCH', `Orders(${o.DocEntry})`, { Comments: 'later' });
      const now = (await r.call('GET', `Orders(${o.DocEntry})`)).json;
      assert.notEqual(now.UpdateTime, o.UpdateTime);
      assert.match(now.UpdateTime, /^\d{2}:\d{2}:\d{2}$/);
    });
  });
}
