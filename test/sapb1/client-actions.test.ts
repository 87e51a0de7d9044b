import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/core/log.ts';
import { parseSettings, SapB1Client, sapb1Actions as act, sapb1Connector, type CreateCustomerInput } from '../../src/connectors/sapb1/index.ts';
import { client, emulator, kit, LOGIN, order, stats, VERSIONS } from './helpers.ts';

const emu = await emulator();
after(() => emu.close());

/** Requests the emulator has answered so far. */
const requests = async (): Promise<number> => (await stats(emu.origin)).requests;

function ctx(c: SapB1Client) {
  return { connection: { name: 'erp', connector: 'sapb1', settings: {} }, client: c, log: silentLogger, runId: 'r1', stepId: 's1', attempt: 1, idempotencyKey: 'k1' };
}

for (const v of VERSIONS) {
  describe(`sapb1 connector actions (${v})`, () => {
    let c: SapB1Client;
    before(() => {
      c = client(emu.origin, v);
    });
    after(() => c.close());

    it('finds a customer by CardCode, by email in any case, and answers null for an unknown one', async () => {
      const byCode = await act.findCustomer.run(ctx(c), { cardCode: 'C0003' });
      assert.equal(byCode?.CardCode, 'C0003');
      assert.equal(typeof byCode?.CreditLimit, 'string');
      const byEmail = await act.findCustomer.run(ctx(c), { email: 'Buyer3@Customer3.example.com' });
      assert.equal(byEmail?.CardCode, 'C0003');
      assert.equal(await act.findCustomer.run(ctx(c), { cardCode: 'NOPE', email: 'nobody@x.test' }), null);
    });

    it('creates a customer with bill-to and ship-to addresses and finds it again by cross-reference', async () => {
      const input: CreateCustomerInput = {
        CardCode: `WEB-${v}`, CardName: 'Web Customer', EmailAddress: `web-${v}@x.test`, FederalTaxID: 'ESB12345678', xref: `ps-${v}-77`,
        BPAddresses: [{ AddressName: 'BILL', AddressType: 'bo_BillTo', Street: 'Gran Via 1', City: 'Madrid', ZipCode: '28013', Country: 'ES' }, { AddressName: 'SHIP', AddressType: 'bo_ShipTo', Street: 'Alcala 2', City: 'Madrid', ZipCode: '28014', Country: 'ES' }],
      };
      const bp = await act.createCustomer.run(ctx(c), input);
      assert.equal(bp.CardCode, `WEB-${v}`);
      assert.equal(bp.BPAddresses.length, 2);
      assert.equal((await act.findCustomer.run(ctx(c), { xref: `ps-${v}-77` }))?.CardCode, `WEB-${v}`);
      assert.equal((await act.createCustomer.reconcile!(ctx(c), input))?.CardCode, `WEB-${v}`);
      await assert.rejects(act.createCustomer.run(ctx(c), { ...input, BPAddresses: input.BPAddresses.slice(0, 1) }), { code: 'OF_SAP_CUSTOMER_ADDRESSES' });
    });

    it('reads the stock of many items in one warehouse with one HTTP call, also past 40 codes', async () => {
      const codes = Array.from({ length: 120 }, (_, i) => `A${String(i + 1).padStart(5, '0')}`);
      const before = (await (await fetch(`${emu.origin}/_emulator/stats`)).json()) as { requests: number };
      const out = await act.getItemsStock.run(ctx(c), { itemCodes: [...codes, 'NOPE'], warehouse: '01' });
      const afterStats = (await (await fetch(`${emu.origin}/_emulator/stats`)).json()) as { requests: number };
      assert.equal(afterStats.requests - before.requests, 1);
      assert.equal(out.items.length, 120);
      assert.deepEqual(out.missing, ['NOPE']);
      const first = out.items[0]!;
      assert.equal(first.ItemCode, 'A00001');
      assert.equal(first.MinimalStock, '10');
      assert.equal(first.Available, String(Number(first.InStock) - Number(first.Committed)));
    });

    it('reads a credit position with decimal strings and the frozen flag', async () => {
      const p = await act.getCreditPosition.run(ctx(c), { cardCode: 'C0013' });
      assert.match(p.CreditLimit, /^\d+(\.\d+)?$/);
      assert.ok(Number(p.Available) < Number(p.CreditLimit));
      assert.equal(p.Frozen, false);
      assert.equal((await act.getCreditPosition.run(ctx(c), { cardCode: 'C0017' })).Frozen, true);
    });

    it('reads the credit of customers asked for at the same moment in one call, each as if read alone; an unknown one fails alone', async () => {
      const codes = ['C0001', 'C0002', 'C0013', 'C0017', 'C0002'];
      const alone = [];
      for (const code of codes) alone.push(await act.getCreditPosition.run(ctx(c), { cardCode: code }));
      const aloneError = (await act.getCreditPosition.run(ctx(c), { cardCode: 'NOPE' }).then(
        () => assert.fail('NOPE has no credit position'),
        (e: unknown) => e,
      )) as { code: string; message: string };
      const before = await requests();
      const together = await Promise.allSettled([...codes, 'NOPE'].map((cardCode) => act.getCreditPosition.run(ctx(c), { cardCode })));
      // One call for the batch, one for the unknown code read again alone (its own 404).
      assert.equal((await requests()) - before, 2);
      assert.deepEqual(together.slice(0, codes.length).map((r) => (r.status === 'fulfilled' ? r.value : r.reason)), alone);
      const nope = together[codes.length]!;
      assert.equal(nope.status, 'rejected');
      assert.equal(nope.reason.code, aloneError.code);
      assert.equal(nope.reason.message, aloneError.message);
    });

    it('reads the stock of orders asked for at the same moment in one call, each order answered with its own codes', async () => {
      const orders = [['A00001', 'A00002'], ['A00002', 'A00003', 'NOPE'], ['A00004']];
      const alone = [];
      for (const itemCodes of orders) alone.push(await act.getItemsStock.run(ctx(c), { itemCodes, warehouse: '01' }));
      const before = await requests();
      const together = await Promise.all(orders.map((itemCodes) => act.getItemsStock.run(ctx(c), { itemCodes, warehouse: '01' })));
      assert.equal((await requests()) - before, 1);
      assert.deepEqual(together, alone);
      assert.deepEqual(together[1]!.missing, ['NOPE']);
    });

    it('with shareReads: false, reads at the same moment take one call each', async () => {
      const own = new SapB1Client(parseSettings({ baseUrl: `${emu.origin}/b1s/${v}`, companyDb: LOGIN.CompanyDB, username: LOGIN.UserName, password: LOGIN.Password, shareReads: false }, 'erp'), kit, 'erp');
      try {
        await own.get('Warehouses');
        const before = await requests();
        await Promise.all(['C0001', 'C0002', 'C0003'].map((cardCode) => act.getCreditPosition.run(ctx(own), { cardCode })));
        await Promise.all([['A00001'], ['A00002']].map((itemCodes) => act.getItemsStock.run(ctx(own), { itemCodes, warehouse: '01' })));
        assert.equal((await requests()) - before, 5);
      } finally {
        own.close();
      }
      assert.throws(() => parseSettings({ baseUrl: emu.origin, companyDb: 'X', username: 'u', password: 'p', shareReads: 'no' }, 'erp'), { code: 'OF_SAP_SETTINGS' });
    });

    it('creates a sales order and reconcile finds it by NumAtCard, ignoring cancelled ones', async () => {
      const input = order(`PS-${v}-1001`, [{ ItemCode: 'A00001', Quantity: 1, UnitPrice: '10.10' }]);
      const created = await act.createSalesOrder.run(ctx(c), input);
      assert.equal(created.DocTotal, '12.22');
      assert.equal(created.NumAtCard, `PS-${v}-1001`);
      const found = await act.createSalesOrder.reconcile!(ctx(c), input);
      assert.equal(found?.DocEntry, created.DocEntry);
      assert.equal(found?.adopted, true);
      await act.cancelOrder.run(ctx(c), { docEntry: created.DocEntry });
      assert.equal(await act.createSalesOrder.reconcile!(ctx(c), input), undefined);
      await assert.rejects(act.createSalesOrder.run(ctx(c), { ...input, NumAtCard: undefined }), { code: 'OF_SAP_DOCUMENT_NO_REFERENCE' });
    });

    it('maps SAP errors into the taxonomy and keeps code and message', async () => {
      await assert.rejects(act.createSalesOrder.run(ctx(c), order(`PS-${v}-bad`, undefined, 'NOPE')), (e: { kind: string; code: string; details: { sapCode: string; sapMessage: string } }) => {
        assert.equal(e.kind, 'user');
        assert.equal(e.code, 'OF_SAP_REJECTED');
        assert.equal(e.details.sapCode, '-10');
        assert.match(e.details.sapMessage, /Invalid BP code/);
        return true;
      });
    });

    it('creates a delivery from an order, reads it with its lines, and a return and credit note after it', async () => {
      const o = await act.createSalesOrder.run(ctx(c), order(`PS-${v}-2002`, [{ ItemCode: 'A00002', Quantity: 2 }]));
      const d = await act.createDelivery.run(ctx(c), { CardCode: 'C0001', NumAtCard: `PS-${v}-2002`, DocumentLines: [{ BaseType: 17, BaseEntry: o.DocEntry, BaseLine: 0 }] });
      const doc = (await act.getDocument.run(ctx(c), { entity: 'DeliveryNotes', docEntry: d.DocEntry }))!;
      assert.equal(doc.DocumentLines[0]?.ItemCode, 'A00002');
      assert.equal(doc.DocumentLines[0]?.Quantity, '2');
      assert.equal(doc.DocumentLines[0]?.BaseEntry, o.DocEntry);
      assert.match(doc.etag ?? '', /^W\//);
      const ret = await act.createReturn.run(ctx(c), { CardCode: 'C0001', NumAtCard: `RMA-${v}-1`, DocumentLines: [{ BaseType: 15, BaseEntry: d.DocEntry, BaseLine: 0, Quantity: 1 }] });
      const cn = await act.createCreditNote.run(ctx(c), { CardCode: 'C0001', NumAtCard: `RMA-${v}-1`, DocumentLines: [{ BaseType: 16, BaseEntry: ret.DocEntry, BaseLine: 0 }] });
      assert.ok(Number(cn.DocTotal) > 0);
      const pr = await act.createPurchaseRequest.run(ctx(c), { NumAtCard: `RESTOCK-${v}`, DocumentLines: [{ ItemCode: 'A00002', Quantity: 20 }] });
      assert.equal(pr.entity, 'PurchaseRequests');
      assert.equal(await act.getDocument.run(ctx(c), { entity: 'Orders', docEntry: 999999 }), null);
    });

    it('updates a document with If-Match and refuses a stale ETag as a transient conflict', async () => {
      const o = await act.createSalesOrder.run(ctx(c), order(`PS-${v}-3003`));
      const doc = (await act.getDocument.run(ctx(c), { entity: 'Orders', docEntry: o.DocEntry }))!;
      const updated = await act.updateDocument.run(ctx(c), { entity: 'Orders', docEntry: o.DocEntry, changes: { Comments: 'first' }, etag: doc.etag });
      assert.equal(updated.raw.Comments, 'first');
      await assert.rejects(act.updateDocument.run(ctx(c), { entity: 'Orders', docEntry: o.DocEntry, changes: { Comments: 'second' }, etag: doc.etag }), { kind: 'transient', code: 'OF_SAP_ETAG_MISMATCH' });
    });

    it('follows next links through every page', async () => {
      assert.equal((await c.getAll('Items?$select=ItemCode')).length, 300);
    });
  });
}

describe('sapb1 connector settings', () => {
  it('refuses settings without a password, with the setting named', () => {
    assert.throws(() => sapb1Connector.createClient({ name: 'erp', connector: 'sapb1', settings: { baseUrl: 'http://x/b1s/v1', companyDb: 'A', username: 'u' } }, kit), /setting 'password'/);
  });
});
