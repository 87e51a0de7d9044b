import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emulator, order, raw, sapMessage, VERSIONS, type Raw } from './helpers.ts';

const emu = await emulator();
after(() => emu.close());

for (const v of VERSIONS) {
  describe(`SL document rules (${v})`, () => {
    let r: Raw;
    before(async () => {
      r = await raw(emu.origin, v);
    });
    const stock = async (item: string, wh = '01') => {
      const a = await r.call('GET', `Items('${item}')?$select=ItemWarehouseInfoCollection,QuantityOnStock,QuantityOrderedByCustomers`);
      const w = a.json.ItemWarehouseInfoCollection.find((x: { WarehouseCode: string }) => x.WarehouseCode === wh);
      return { inStock: w.InStock as number, committed: w.Committed as number, total: a.json.QuantityOnStock as number };
    };

    it('assigns DocEntry, DocNum and LineNum, and computes DocTotal and VatSum from the tax codes', async () => {
      const a = await r.call('POST', 'Orders', order(`D-${v}-totals`, [
        { ItemCode: 'A00001', Quantity: 3, UnitPrice: 10.05, TaxCode: 'IVA21' },
        { ItemCode: 'A00010', Quantity: 1, UnitPrice: 99.99, TaxCode: 'IVA10', DiscountPercent: 10 },
      ]));
      assert.equal(a.status, 201, a.text);
      const o = a.json;
      assert.ok(o.DocEntry > 0 && o.DocNum > 0);
      assert.deepEqual(o.DocumentLines.map((l: { LineNum: number }) => l.LineNum), [0, 1]);
      // 30.15 + 89.99 (99.99 less 10%, rounded) = 120.14 net; tax 6.33 + 9.00 = 15.33
      assert.deepEqual(o.DocumentLines.map((l: { LineTotal: number }) => l.LineTotal), [30.15, 89.99]);
      assert.equal(o.VatSum, 15.33);
      assert.equal(o.DocTotal, 135.47);
      assert.equal(o.DocumentStatus, 'bost_Open');
      assert.equal(o.Cancelled, 'tNO');
    });

    it('raises Committed for an open order and releases it when the order is cancelled', async () => {
      const before = await stock('A00020');
      const o = (await r.call('POST', 'Orders', order(`D-${v}-commit`, [{ ItemCode: 'A00020', Quantity: 7 }]))).json;
      assert.equal((await stock('A00020')).committed, before.committed + 7);
      await r.call('POST', `Orders(${o.DocEntry})/Cancel`);
      assert.equal((await stock('A00020')).committed, before.committed);
    });

    it('delivers from an order (BaseType 17): copies the lines, lowers InStock and Committed, closes the line and then the order', async () => {
      const o = (await r.call('POST', 'Orders', order(`D-${v}-deliver`, [{ ItemCode: 'A00030', Quantity: 4, UnitPrice: 12.5 }, { ItemCode: 'A00031', Quantity: 1 }]))).json;
      const s0 = await stock('A00030');
      const d1 = await r.call('POST', 'DeliveryNotes', { CardCode: 'C0001', DocumentLines: [{ BaseType: 17, BaseEntry: o.DocEntry, BaseLine: 0, Quantity: 3 }] });
      assert.equal(d1.status, 201, d1.text);
      assert.equal(d1.json.DocumentLines[0].ItemCode, 'A00030');
      assert.equal(d1.json.DocumentLines[0].UnitPrice, 12.5);
      assert.equal(d1.json.DocumentLines[0].WarehouseCode, '01');
      const s1 = await stock('A00030');
      assert.deepEqual([s1.inStock, s1.committed, s1.total], [s0.inStock - 3, s0.committed - 3, s0.total - 3]);
      let now = (await r.call('GET', `Orders(${o.DocEntry})`)).json;
      assert.deepEqual([now.DocumentLines[0].RemainingOpenQuantity, now.DocumentLines[0].LineStatus, now.DocumentStatus], [1, 'bost_Open', 'bost_Open']);
      await r.call('POST', 'DeliveryNotes', { CardCode: 'C0001', DocumentLines: [{ BaseType: 17, BaseEntry: o.DocEntry, BaseLine: 0 }, { BaseType: 17, BaseEntry: o.DocEntry, BaseLine: 1 }] });
      now = (await r.call('GET', `Orders(${o.DocEntry})`)).json;
      assert.deepEqual(now.DocumentLines.map((l: { LineStatus: string }) => l.LineStatus), ['bost_Close', 'bost_Close']);
      assert.equal(now.DocumentStatus, 'bost_Close');
      assert.equal((await stock('A00030')).committed, s0.committed - 4);
    });

    it('refuses a delivery for another card and one from a closed base document', async () => {
      const o = (await r.call('POST', 'Orders', order(`D-${v}-rules`, [{ ItemCode: 'A00040', Quantity: 1 }]))).json;
      const other = await r.call('POST', 'DeliveryNotes', { CardCode: 'C0002', DocumentLines: [{ BaseType: 17, BaseEntry: o.DocEntry, BaseLine: 0 }] });
      assert.equal(other.status, 400);
      assert.equal(sapMessage(other), 'Base document card and target document card do not match.');
      await r.call('POST', `Orders(${o.DocEntry})/Close`);
      const closed = await r.call('POST', 'DeliveryNotes', { CardCode: 'C0001', DocumentLines: [{ BaseType: 17, BaseEntry: o.DocEntry, BaseLine: 0 }] });
      assert.equal(closed.status, 400);
      assert.equal(sapMessage(closed), 'One of the base documents has already been closed');
    });

    it('refuses to cancel an order something was copied from', async () => {
      const o = (await r.call('POST', 'Orders', order(`D-${v}-nocancel`, [{ ItemCode: 'A00041', Quantity: 2 }]))).json;
      await r.call('POST', 'DeliveryNotes', { CardCode: 'C0001', DocumentLines: [{ BaseType: 17, BaseEntry: o.DocEntry, BaseLine: 0, Quantity: 1 }] });
      assert.equal((await r.call('POST', `Orders(${o.DocEntry})/Cancel`)).status, 400);
    });

    it('books a return into stock and a credit note against the balance', async () => {
      const o = (await r.call('POST', 'Orders', order(`D-${v}-return`, [{ ItemCode: 'A00050', Quantity: 2, UnitPrice: 100 }], 'C0005'))).json;
      const d = (await r.call('POST', 'DeliveryNotes', { CardCode: 'C0005', DocumentLines: [{ BaseType: 17, BaseEntry: o.DocEntry, BaseLine: 0 }] })).json;
      const s0 = await stock('A00050');
      const ret = await r.call('POST', 'Returns', { CardCode: 'C0005', NumAtCard: `RMA-${v}`, DocumentLines: [{ BaseType: 15, BaseEntry: d.DocEntry, BaseLine: 0, Quantity: 1 }] });
      assert.equal(ret.status, 201, ret.text);
      assert.equal((await stock('A00050')).inStock, s0.inStock + 1);
      const bal0 = (await r.call('GET', "BusinessPartners('C0005')")).json.CurrentAccountBalance;
      const cn = await r.call('POST', 'CreditNotes', { CardCode: 'C0005', DocumentLines: [{ BaseType: 16, BaseEntry: ret.json.DocEntry, BaseLine: 0 }] });
      assert.equal(cn.status, 201, cn.text);
      assert.equal((await stock('A00050')).inStock, s0.inStock + 1, 'a credit note from a return moves no stock again');
      const bal1 = (await r.call('GET', "BusinessPartners('C0005')")).json.CurrentAccountBalance;
      assert.equal(Math.round((bal0 - bal1) * 100) / 100, cn.json.DocTotal);
    });

    it('changes stock through goods receipts and goods issues, as a warehouse would', async () => {
      const s0 = await stock('A00060', '02');
      await r.call('POST', 'InventoryGenEntries', { DocumentLines: [{ ItemCode: 'A00060', Quantity: 10, WarehouseCode: '02' }] });
      await r.call('POST', 'InventoryGenExits', { DocumentLines: [{ ItemCode: 'A00060', Quantity: 4, WarehouseCode: '02' }] });
      assert.equal((await stock('A00060', '02')).inStock, s0.inStock + 6);
    });

    it('creates a purchase request without a business partner', async () => {
      const a = await r.call('POST', 'PurchaseRequests', { RequriedDate: '2026-12-24', DocumentLines: [{ ItemCode: 'A00025', Quantity: 50 }] });
      assert.equal(a.status, 201, a.text);
      assert.equal(a.json.DocObjectCode, 'oPurchaseRequest');
    });

    it('raises OpenOrdersBalance by the open order value', async () => {
      const b0 = (await r.call('GET', "BusinessPartners('C0009')")).json.OpenOrdersBalance;
      const o = (await r.call('POST', 'Orders', order(`D-${v}-open`, [{ ItemCode: 'A00001', Quantity: 1, UnitPrice: 100, TaxCode: 'IVA21' }], 'C0009'))).json;
      assert.equal(o.DocTotal, 121);
      const b1 = (await r.call('GET', "BusinessPartners('C0009')")).json.OpenOrdersBalance;
      assert.equal(Math.round((b1 - b0) * 100) / 100, 121);
    });

    it('refuses a document for a frozen customer', async () => {
      const a = await r.call('POST', 'Orders', order(`D-${v}-frozen`, undefined, 'C0017'));
      assert.equal(a.status, 400);
    });
  });
}
