/**
 * Orders → ERP end to end: a checkout in the shop emulator becomes a Sales Order in the SAP emulator
 * through the shipped flow, over real HTTP, with the engine in this process on SQLite.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import { demoCompany } from '../../src/emulators/demo-catalogue.ts';
import { customerCheckout, EVERYDAY_ITEMS, makeCheckout, newCustomerCheckout, PAYMENTS } from '../../src/orders/checkouts.ts';
import { customerMessages, shopGet, shopOrderState, startOrderStack, type OrderStack } from './harness.ts';

const company = demoCompany();
const customer = (code: string) => company.customers.find((c) => c.cardCode === code)!;
/** Waits for the order's run to finish and fails with its last error unless it succeeded. */
async function succeeded(s: OrderStack, orderId: number): Promise<void> {
  const run = await s.waitRun(orderId, ['succeeded', 'blocked', 'dead']);
  assert.equal(run.status, 'succeeded', `run ${run.id} ${run.status}: ${JSON.stringify(run.lastError)}`);
}

type Doc = Record<string, unknown> & { DocumentLines: Array<Record<string, unknown>>; DocumentAdditionalExpenses: Array<Record<string, unknown>>; AddressExtension: Record<string, unknown> };

describe('order to ERP', () => {
  let s: OrderStack;
  before(async () => {
    s = await startOrderStack();
  });
  after(async () => s.stop());

  test('a checkout becomes one Sales Order with the customer, lines, totals, taxes, addresses, payment method and NumAtCard, and the customer sees its DocNum in the shop', async () => {
    const c = customer('C0005');
    const [a, b] = [EVERYDAY_ITEMS[3]!, company.items.find((i) => i.vatRate === '10' && (i.stock['01'] ?? 0) > 20)!];
    const placed = await s.checkout({ ...customerCheckout(c), lines: [{ reference: a.code, quantity: 3 }, { reference: b.code, quantity: 2 }], payment: PAYMENTS.transfer });
    const run = await s.waitRun(placed.id_order, ['succeeded', 'blocked', 'dead']);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.lastError));

    const orders = await s.erp.ordersByNumAtCard(placed.reference);
    assert.equal(orders.length, 1);
    const doc = orders[0] as Doc;
    const shopOrder = (await shopGet<{ order: Record<string, string> }>(s.shop.url, `orders/${placed.id_order}`)).order;
    assert.equal(doc.CardCode, 'C0005');
    assert.equal(doc.NumAtCard, placed.reference);
    assert.equal(doc.PaymentMethod, 'TRANSFER');
    assert.deepEqual(doc.DocumentLines.map((l) => [l.ItemCode, l.Quantity, String(l.UnitPrice), l.TaxCode, l.WarehouseCode]), [
      [a.code, 3, new Decimal(a.price).toString(), 'IVA21', '01'],
      [b.code, 2, new Decimal(b.price).toString(), 'IVA10', '01'],
    ]);
    assert.equal(doc.DocumentAdditionalExpenses.length, 1, 'shipping is an additional expense');
    assert.equal(String(doc.DocumentAdditionalExpenses[0]!.LineTotal), '4.5');
    // The ERP's totals, computed line by line, equal the shop's.
    assert.equal(new Decimal(String(doc.DocTotal)).toFixed(2), new Decimal(shopOrder.total_paid_tax_incl!).toFixed(2));
    assert.equal(new Decimal(String(doc.VatSum)).toFixed(2), new Decimal(shopOrder.total_paid_tax_incl!).minus(shopOrder.total_paid_tax_excl!).toFixed(2));
    assert.equal(doc.AddressExtension.ShipToCity, c.city);
    assert.equal(doc.AddressExtension.BillToZipCode, c.postcode);
    assert.equal(doc.DocDueDate, new Date(Date.parse(`${String(doc.DocDate)}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10));

    const messages = await customerMessages(s.shop.url, placed.id_order);
    assert.ok(messages.some((m) => m.includes(String(doc.DocNum))), `a customer-visible message names DocNum ${String(doc.DocNum)}: ${JSON.stringify(messages)}`);
    assert.equal(await shopOrderState(s.shop.url, placed.id_order), 'Processing in progress');

    // The cross-reference answers from either side, over the API.
    const api = s.runtime.url!;
    const byShop = (await (await fetch(`${api}/api/xrefs?entity=order&system=shop&id=${placed.id_order}`)).json()) as { xrefs: Array<{ rightId: string; data: Record<string, unknown> }> };
    assert.equal(byShop.xrefs[0]?.rightId, String(doc.DocEntry));
    assert.equal(byShop.xrefs[0]?.data.DocNum, doc.DocNum);
    const byErp = (await (await fetch(`${api}/api/xrefs?entity=order&system=erp&id=${String(doc.DocEntry)}`)).json()) as { xrefs: Array<{ leftId: string }> };
    assert.equal(byErp.xrefs[0]?.leftId, String(placed.id_order));
  });

  test('a known customer\'s next order costs three ERP calls (credit, stock for all lines, the Sales Order), whatever the number of lines', async () => {
    const c = customer('C0006');
    const first = await s.checkout({ ...customerCheckout(c), lines: [{ reference: EVERYDAY_ITEMS[30]!.code, quantity: 1 }], payment: PAYMENTS.card });
    await succeeded(s, first.id_order);
    const before = (await s.erp.stats()).requests;
    const placed = await s.checkout({ ...customerCheckout(c), lines: EVERYDAY_ITEMS.slice(10, 16).map((i) => ({ reference: i.code, quantity: 1 })), payment: PAYMENTS.card });
    await succeeded(s, placed.id_order);
    assert.equal((await s.erp.stats()).requests - before, 3);
  });

  test('orders placed together share their reads: fewer ERP calls than one per read, and /metrics says how many were shared', async () => {
    const known = ['C0007', 'C0008', 'C0009'].map(customer);
    for (const c of known) await succeeded(s, (await s.checkout({ ...customerCheckout(c), lines: [{ reference: EVERYDAY_ITEMS[31]!.code, quantity: 1 }], payment: PAYMENTS.card })).id_order);
    const scrape = async () => {
      const text = await (await fetch(`${s.runtime.url}/metrics`)).text();
      const value = (name: string, kind: string) => Number(new RegExp(`^${name}\\{connection="erp",kind="${kind}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      return { creditReads: value('orderflow_shared_reads_total', 'credit'), creditCalls: value('orderflow_shared_read_calls_total', 'credit') };
    };
    const before = { erp: (await s.erp.stats()).requests, metrics: await scrape() };
    // Two orders of each customer at once: six runs reading credit and stock at about the same moment.
    const placed = await Promise.all([...known, ...known].map((c, i) => s.checkout({ ...customerCheckout(c), lines: [{ reference: EVERYDAY_ITEMS[32 + i]!.code, quantity: 1 }], payment: PAYMENTS.card })));
    for (const p of placed) await succeeded(s, p.id_order);
    const calls = (await s.erp.stats()).requests - before.erp;
    // One call per read would be 18 (credit, stock, Sales Order for each).
    assert.ok(calls < 18, `${calls} ERP calls for 6 orders`);
    const after = await scrape();
    assert.equal(after.creditReads - before.metrics.creditReads, 6);
    assert.ok(after.creditCalls - before.metrics.creditCalls < 6, `${after.creditCalls - before.metrics.creditCalls} credit calls for 6 reads`);
  });

  test('a customer the ERP does not know is created first, with bill-to and ship-to addresses, and the order is theirs', async () => {
    const checkout = { ...newCustomerCheckout('e2e1'), lines: [{ reference: EVERYDAY_ITEMS[20]!.code, quantity: 1 }], payment: PAYMENTS.cheque };
    const placed = await s.checkout(checkout);
    const run = await s.waitRun(placed.id_order, ['succeeded', 'blocked', 'dead']);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.lastError));
    const created = (run.context.steps['create-customer'] ?? {}) as { CardCode?: string };
    assert.match(created.CardCode ?? '', /^W\d{6}$/);
    const bp = await s.erp.get<{ EmailAddress: string; FederalTaxID: string; BPAddresses: Array<{ AddressType: string; City: string }> }>(`BusinessPartners('${created.CardCode}')`);
    assert.equal(bp.EmailAddress, checkout.customer.email);
    assert.equal(bp.FederalTaxID, checkout.address.vat_number);
    assert.deepEqual(bp.BPAddresses.map((x) => [x.AddressType, x.City]).sort(), [['bo_BillTo', 'Madrid'], ['bo_ShipTo', 'Madrid']]);
    assert.equal((await s.erp.ordersByNumAtCard(placed.reference))[0]?.CardCode, created.CardCode);
    // The next order finds the customer by cross-reference: nobody is created twice.
    const again = await s.checkout({ ...checkout, lines: [{ reference: EVERYDAY_ITEMS[21]!.code, quantity: 1 }] });
    const run2 = await s.waitRun(again.id_order, ['succeeded', 'blocked', 'dead']);
    assert.equal(run2.status, 'succeeded');
    assert.equal((run2.context.steps['customer-xref'] as { id?: string } | null)?.id, created.CardCode);
    assert.equal(run2.context.steps['create-customer'], null);
  });

  test('a frozen customer is blocked with a message naming the customer, and a retry after unfreezing creates the order', async () => {
    const placed = await s.checkout(makeCheckout('frozen', () => 0));
    const run = await s.waitRun(placed.id_order, ['blocked', 'succeeded', 'dead']);
    assert.equal(run.status, 'blocked');
    const err = run.lastError as { code: string; message: string };
    assert.equal(err.code, 'OF_RULE_CUSTOMER_FROZEN');
    assert.match(err.message, /customer C0017 .* is frozen/);
    await s.erp.patch(`BusinessPartners('C0017')`, { Frozen: 'tNO', Valid: 'tYES' });
    await s.runtime.store.retryRun(run.id);
    await succeeded(s, placed.id_order);
    assert.equal((await s.erp.ordersByNumAtCard(placed.reference)).length, 1);
  });

  test('a customer without credit is blocked with the figures, sales is told, and a retry after raising the limit creates the order', async () => {
    const placed = await s.checkout(makeCheckout('no-credit', () => 0));
    const run = await s.waitRun(placed.id_order, ['blocked', 'succeeded', 'dead']);
    assert.equal(run.status, 'blocked');
    const err = run.lastError as { code: string; message: string };
    assert.equal(err.code, 'OF_RULE_CREDIT_EXCEEDED');
    assert.match(err.message, /customer C0013: credit available -?[\d.]+ \(limit [\d.]+ − balance [\d.]+ − open orders [\d.]+\) is below the order total [\d.]+ EUR/);
    const told = s.notifier.sent.find((n) => n.runId === run.id && n.template === 'credit-blocked');
    assert.deepEqual(told?.to, ['role:sales']);
    await s.erp.patch(`BusinessPartners('C0013')`, { CreditLimit: 500000 });
    await s.runtime.store.retryRun(run.id);
    await succeeded(s, placed.id_order);
    assert.equal((await s.erp.ordersByNumAtCard(placed.reference)).length, 1);
  });

  test('a line without stock is blocked naming the item and the figures, the warehouse is told, and a retry after a goods receipt creates the order', async () => {
    const placed = await s.checkout(makeCheckout('no-stock', () => 0));
    const run = await s.waitRun(placed.id_order, ['blocked', 'succeeded', 'dead']);
    assert.equal(run.status, 'blocked');
    const err = run.lastError as { code: string; message: string };
    assert.equal(err.code, 'OF_RULE_OUT_OF_STOCK');
    const short = /(A\d{5}) ordered 2, available 0/.exec(err.message);
    assert.ok(short, err.message);
    assert.ok(s.notifier.sent.some((n) => n.runId === run.id && n.template === 'stock-backorder' && n.to.includes('role:warehouse')));
    await s.erp.post('InventoryGenEntries', { DocumentLines: [{ ItemCode: short[1], Quantity: 40, WarehouseCode: '01' }] });
    await s.runtime.store.retryRun(run.id);
    await succeeded(s, placed.id_order);
    assert.equal((await s.erp.ordersByNumAtCard(placed.reference)).length, 1);
  });

  test('an unmapped payment method is blocked naming the module and the setting; after the mapping is added, a retry on the current flow creates the order', async () => {
    const placed = await s.checkout(makeCheckout('unmapped-payment', () => 0));
    const run = await s.waitRun(placed.id_order, ['blocked', 'succeeded', 'dead']);
    assert.equal(run.status, 'blocked');
    const err = run.lastError as { code: string; message: string };
    assert.equal(err.code, 'OF_RULE_PAYMENT_UNMAPPED');
    assert.match(err.message, /payment module "ps_cashondelivery" .* add it under settings\.paymentMethods/);
    // A retry without the fix blocks again (the settings belong to the run's flow version).
    await s.runtime.store.retryRun(run.id);
    await s.waitRun(placed.id_order, ['blocked']);
    const { flowWithSettings } = await import('./harness.ts');
    const { loadFlowFile } = await import('../../src/flows/load.ts');
    const fixed = await loadFlowFile(flowWithSettings({ paymentMethods: { ps_cashondelivery: 'TRANSFER' } }));
    await s.runtime.engine.addFlow(fixed);
    const res = await fetch(`${s.runtime.url!}/api/runs/${run.id}/retry?flow=current`, { method: 'POST' });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(((await res.json()) as { run: { flowVersion: string } }).run.flowVersion, fixed.hash);
    await succeeded(s, placed.id_order);
    assert.equal((await s.erp.ordersByNumAtCard(placed.reference))[0]?.PaymentMethod, 'TRANSFER');
    const attempts = await s.runtime.store.listAttempts(run.id);
    assert.equal(attempts.filter((a) => a.stepId === 'order').length, 1, 'completed steps are not run again');
  });

  test('an order over 5,000 EUR waits for a decision; approved through the API, the Sales Order is created', async () => {
    const placed = await s.checkout(makeCheckout('large', () => 0.3));
    const run = await s.waitRun(placed.id_order, ['waiting', 'blocked', 'succeeded', 'dead']);
    assert.equal(run.status, 'waiting', JSON.stringify(run.lastError));
    assert.equal(run.waitingFor, 'signal:approval');
    assert.equal((await s.erp.ordersByNumAtCard(placed.reference)).length, 0);
    assert.ok(s.notifier.sent.some((n) => n.runId === run.id && n.template === 'approval-requested' && n.to.includes('role:approvers')));
    const res = await fetch(`${s.runtime.url!}/api/runs/${run.id}/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: 'director@example.com' }) });
    assert.equal(res.status, 202);
    await succeeded(s, placed.id_order);
    assert.equal((await s.erp.ordersByNumAtCard(placed.reference)).length, 1);
  });

  test('a rejected order is cancelled in the shop, the customer is e-mailed, and nothing reaches the ERP', async () => {
    const checkout = makeCheckout('large', () => 0.6);
    const placed = await s.checkout(checkout);
    const run = await s.waitRun(placed.id_order, ['waiting', 'blocked', 'succeeded', 'dead']);
    assert.equal(run.status, 'waiting');
    const res = await fetch(`${s.runtime.url!}/api/runs/${run.id}/reject`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ by: 'director@example.com', comment: 'credit insurance refused' }) });
    assert.equal(res.status, 202);
    await succeeded(s, placed.id_order);
    assert.equal(await shopOrderState(s.shop.url, placed.id_order), 'Canceled');
    const mail = s.shop.emails().find((e) => e.id_order === placed.id_order && e.template === 'order_canceled');
    assert.equal(mail?.to, checkout.customer.email);
    const rejected = s.notifier.sent.find((n) => n.runId === run.id && n.template === 'order-rejected');
    assert.deepEqual(rejected?.to, ['role:customer']);
    assert.deepEqual((rejected?.data as { reasons: string[] }).reasons, ['credit insurance refused']);
    assert.equal((await s.erp.ordersByNumAtCard(placed.reference)).length, 0);
  });

  test('an item falling under its minimum gets one purchase request per day, however many orders take it under', async () => {
    const low = company.items.find((i) => (i.stock['01'] ?? 0) === 12)!; // minimum 10
    const c = customerCheckout(customer('C0008'));
    for (const quantity of [3, 1]) {
      const placed = await s.checkout({ ...c, lines: [{ reference: low.code, quantity }], payment: PAYMENTS.transfer });
      await succeeded(s, placed.id_order);
    }
    const today = new Date().toISOString().slice(0, 10);
    const requests = await s.erp.all<{ NumAtCard: string; DocumentLines: Array<{ ItemCode: string; Quantity: number }> }>(`PurchaseRequests?$filter=${encodeURIComponent(`NumAtCard eq 'RESTOCK-${low.code}-${today}'`)}`);
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!.DocumentLines[0]!.ItemCode, low.code);
    assert.equal(requests[0]!.DocumentLines[0]!.Quantity, 11); // 2 × minimum 10 − 9 left
  });
});

describe('order to ERP with back-orders accepted and restocking by notification', () => {
  let s: OrderStack;
  before(async () => {
    s = await startOrderStack({ settings: { backOrderPolicy: 'accept', restocking: { mode: 'notify' } } });
  });
  after(async () => s.stop());

  test('a line without stock still becomes a Sales Order, the warehouse and purchasing are told, and no purchase request is made', async () => {
    const placed = await s.checkout(makeCheckout('no-stock', () => 0));
    await succeeded(s, placed.id_order);
    const run = (await s.runOf(placed.id_order))!;
    assert.equal((await s.erp.ordersByNumAtCard(placed.reference)).length, 1);
    assert.ok(s.notifier.sent.some((n) => n.runId === run.id && n.template === 'stock-backorder' && n.to.includes('role:warehouse')));
    const told = s.notifier.sent.find((n) => n.runId === run.id && n.stepId === 'tell-purchasing');
    assert.match((told?.data as { message: string }).message, /Items under their minimum in warehouse 01 after order \w+: A\d{5} \(-2 left, minimum 10\)/);
    assert.equal((await s.erp.stats()).counts.PurchaseRequests ?? 0, 0);
  });
});

describe('order to ERP with the stock re-check on a short schedule', () => {
  let s: OrderStack;
  before(async () => {
    s = await startOrderStack({ steps: { 'stock-check': { recheck: { every: '1s', for: '1h' } } } });
  });
  after(async () => s.stop());

  test('an order blocked for stock completes by itself after a goods receipt, with one warehouse message and one Sales Order', async () => {
    const placed = await s.checkout(makeCheckout('no-stock', () => 0));
    const run = await s.waitRun(placed.id_order, ['blocked', 'succeeded', 'dead']);
    assert.equal(run.status, 'blocked');
    const err = run.lastError as { code: string; message: string; recheck?: { since?: number; next?: number } };
    assert.equal(err.code, 'OF_RULE_OUT_OF_STOCK');
    assert.ok(err.recheck?.next, 'the next re-check is shown');
    const short = /(A\d{5}) ordered 2, available 0/.exec(err.message)!;
    // Still short after a re-check or two: it stays blocked. (A re-check runs the run again for a moment,
    // so it is read once that moment is over.)
    await new Promise((r) => setTimeout(r, 2_500));
    const again = await s.waitRun(placed.id_order, ['blocked', 'succeeded', 'dead']);
    assert.equal(again.status, 'blocked');
    const later = again.lastError as { recheck?: { since?: number; next?: number } };
    assert.ok((later.recheck?.next ?? 0) > (err.recheck?.next ?? 0), 'it was re-checked meanwhile');
    assert.equal(later.recheck?.since, err.recheck?.since, 'one series of re-checks');
    await s.erp.post('InventoryGenEntries', { DocumentLines: [{ ItemCode: short[1], Quantity: 40, WarehouseCode: '01' }] });
    await s.waitRun(placed.id_order, ['succeeded']); // no retry by a person
    assert.equal((await s.erp.ordersByNumAtCard(placed.reference)).length, 1);
    assert.equal(s.notifier.sent.filter((n) => n.runId === run.id && n.template === 'stock-backorder').length, 1);
  });
});
