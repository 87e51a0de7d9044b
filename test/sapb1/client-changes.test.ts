import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../../src/core/log.ts';
import { minusSeconds } from '../../src/connectors/sapb1/changes.ts';
import { sapb1Actions as act, sapb1Connector, type SapB1Client } from '../../src/connectors/sapb1/index.ts';
import { client, emulator, order, VERSIONS } from './helpers.ts';

const emu = await emulator();
after(() => emu.close());
const ctx = (c: SapB1Client) => ({ connection: { name: 'erp', connector: 'sapb1', settings: {} }, client: c, log: silentLogger, runId: 'r', stepId: 's', attempt: 1, idempotencyKey: 'k' });
const advance = (s: number) => fetch(`${emu.origin}/_emulator/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: s }) });

describe('sapb1 change cursor arithmetic', () => {
  it('moves a change time back across midnight', () => {
    assert.equal(minusSeconds('2026-11-27T00:00:01', 5), '2026-11-26T23:59:56');
  });
});

for (const v of VERSIONS) {
  describe(`sapb1 changed documents (${v})`, () => {
    it('lists documents changed since the cursor once each, re-reading the overlap without repeating', async () => {
      const c = client(emu.origin, v);
      const first = await act.listChangedDocuments.run(ctx(c), { entity: 'Orders', cursor: null });
      const o = await act.createSalesOrder.run(ctx(c), order(`CH-${v}-1`));
      const second = await act.listChangedDocuments.run(ctx(c), { entity: 'Orders', cursor: first.cursor });
      assert.deepEqual(second.documents.map((d) => d.DocEntry), [o.DocEntry]);
      assert.equal(second.documents[0]?.created, true);
      assert.match(second.documents[0]!.changedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      const third = await act.listChangedDocuments.run(ctx(c), { entity: 'Orders', cursor: second.cursor });
      assert.deepEqual(third.documents, []);
      await advance(3);
      await c.patch(`Orders(${o.DocEntry})`, { Comments: 'changed' });
      const fourth = await act.listChangedDocuments.run(ctx(c), { entity: 'Orders', cursor: third.cursor });
      assert.deepEqual(fourth.documents.map((d) => [d.DocEntry, d.document.raw.Comments]), [[o.DocEntry, 'changed']]);
      c.close();
    });

    it('emits delivery.created and order.updated from the documents trigger, starting after what exists', async () => {
      const c = client(emu.origin, v);
      const trigger = sapb1Connector.triggers.documents!;
      assert.equal(trigger.kind, 'polling');
      if (trigger.kind !== 'polling') return;
      const tctx = { ...ctx(c), options: { entities: ['Orders', 'DeliveryNotes'] } };
      const start = await trigger.poll(tctx, null);
      assert.deepEqual(start.events, []);
      await advance(2);
      const o = await act.createSalesOrder.run(ctx(c), order(`CH-${v}-2`));
      const p1 = await trigger.poll(tctx, start.cursor);
      assert.deepEqual(p1.events.map((e) => [e.type, e.entityKey]), [['order.created', `erp:order:${o.DocEntry}`]]);
      await advance(2);
      const d = await act.createDelivery.run(ctx(c), { CardCode: 'C0001', DocumentLines: [{ BaseType: 17, BaseEntry: o.DocEntry, BaseLine: 0 }] });
      const p2 = await trigger.poll(tctx, p1.cursor);
      assert.deepEqual(p2.events.map((e) => [e.type, e.entityKey]).sort(), [['delivery.created', `erp:delivery:${d.DocEntry}`], ['order.updated', `erp:order:${o.DocEntry}`]]);
      const upd = p2.events.find((e) => e.type === 'order.updated')!;
      assert.equal(upd.dedupeKey, `erp:order:${o.DocEntry}:${upd.version}`);
      assert.deepEqual((await trigger.poll(tctx, p2.cursor)).events, []);
      c.close();
    });
  });
}
