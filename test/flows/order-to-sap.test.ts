import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { evaluateCondition } from '../../src/flows/conditions.ts';
import { loadFlowFile } from '../../src/flows/load.ts';
import { evaluateMapping, renderTemplate } from '../../src/flows/mapping.ts';
import type { BranchStep, FlowStep, MapStep, ValidateStep } from '../../src/flows/types.ts';

const example = fileURLToPath(new URL('../../flows/examples/order-to-erp.yaml', import.meta.url));

function step<K extends FlowStep['kind']>(steps: FlowStep[], id: string, kind: K): Extract<FlowStep, { kind: K }> {
  const s = steps.find((x) => x.id === id);
  assert.ok(s && s.kind === kind, `step ${id} of kind ${kind}`);
  return s as Extract<FlowStep, { kind: K }>;
}

/** A confirmed PrestaShop order after the connector normalised it (amounts as decimal strings). */
function context(total: string, available: string) {
  return {
    event: {
      type: 'order.confirmed',
      entityKey: 'shop:order:1234',
      dedupeKey: 'shop:order:1234:2026-11-27T03:00:00',
      payload: {
        id: 1234,
        reference: 'XKBKNABJK',
        date: '2026-11-27 03:00:00',
        currency: 'EUR',
        customer: { email: 'buyer@acme.example' },
        lines: [
          { sku: 'A-100', quantity: 3, unitPrice: '19.99', discountPercent: '10' },
          { sku: 'B-200', quantity: 2, unitPrice: '0.35' },
        ],
        shipping: '4.95',
        total,
      },
    },
    steps: { 'find-customer': { CardCode: 'C20000' }, credit: { available } } as Record<string, unknown>,
    settings: { approvalThreshold: '5000.00', warehouse: '01', shippingItemCode: 'SHIP' },
    run: { id: 'r1', flowId: 'order-to-erp', flowVersion: 'v' },
  };
}

void describe('the order-to-erp example flow', () => {
  void it('types its steps as the union of the step kinds', async () => {
    const { flow } = await loadFlowFile(example);
    const steps: FlowStep[] = flow.steps; // a compile-time check as much as a runtime one
    const first = steps[0];
    assert.equal(first?.kind === 'action' ? first.action : undefined, 'findCustomer');
  });

  void it('maps a shop order to a SAP B1 sales order with exact decimal line totals', async () => {
    const { flow } = await loadFlowFile(example);
    const toSap: MapStep = step(flow.steps, 'to-sap', 'map');
    const doc = (await evaluateMapping(toSap.expression, context('59.60', '10000'))) as Record<string, unknown>;
    assert.deepEqual(doc, {
      CardCode: 'C20000',
      NumAtCard: 'XKBKNABJK',
      DocDate: '2026-11-27',
      DocDueDate: '2026-11-27',
      DocCurrency: 'EUR',
      Comments: 'PrestaShop order 1234',
      DocumentLines: [
        // 3 × 19.99 × 0.9 = 53.973 → 53.97 (half-up)
        { ItemCode: 'A-100', Quantity: 3, UnitPrice: '19.99', DiscountPercent: '10', LineTotal: '53.97', WarehouseCode: '01' },
        { ItemCode: 'B-200', Quantity: 2, UnitPrice: '0.35', DiscountPercent: '0', LineTotal: '0.70', WarehouseCode: '01' },
        { ItemCode: 'SHIP', Quantity: 1, UnitPrice: '4.95', LineTotal: '4.95' },
      ],
      DocTotal: '59.60',
    });
  });

  void it('routes an order above the approval threshold to approval and a smaller one straight to SAP', async () => {
    const { flow } = await loadFlowFile(example);
    const route: BranchStep = step(flow.steps, 'route', 'branch');
    const target = (total: string) => route.cases.find((c) => evaluateCondition(c.when, context(total, '999999')))?.goto ?? route.default;
    assert.equal(target('5000.01'), 'approval');
    assert.equal(target('5000.00'), 'to-sap');
  });

  void it('blocks on exceeded credit with a message rendered from the run context', async () => {
    const { flow } = await loadFlowFile(example);
    const checks: ValidateStep = step(flow.steps, 'checks', 'validate');
    const ctx = context('5000.10', '4999.99');
    const failed = checks.rules.filter((r) => !evaluateCondition(r.condition, ctx));
    assert.deepEqual(
      failed.map((r) => r.code),
      ['CREDIT_EXCEEDED'],
    );
    assert.equal(await renderTemplate(failed[0]?.message ?? '', ctx), 'credit available 4999.99 is below the order total 5000.10');
  });
});
