// Throughput of the flow format (run: npm run bench:flows). Not a test: prints medians.
// Kept beside the flow tests because bench/ belongs to another area; move it there when convenient.
import { readFileSync } from 'node:fs';
import { evaluateCondition } from '../src/flows/conditions.ts';
import { evaluateMapping } from '../src/flows/mapping.ts';
import { parseFlow } from '../src/flows/load.ts';
import { MappingSandbox } from '../src/flows/mapping-sandbox.ts';
const src = readFileSync(new URL('../flows/examples/order-to-erp.yaml', import.meta.url), 'utf8');
const flow = parseFlow(src, 'x');
const toSap = flow.steps.find((s) => s.id === 'to-sap');
if (toSap?.kind !== 'map') throw new Error('the example flow has no map step to-sap');
const ctx = { event: { payload: { id: 1, reference: 'R', date: '2026-11-27 03:00:00', currency: 'EUR', shipping: '4.95', total: '5000.10',
  lines: Array.from({ length: 5 }, (_, i) => ({ sku: `S${i}`, quantity: i + 1, unitPrice: '19.99', discountPercent: '10' })) } },
  steps: { 'find-customer': { CardCode: 'C1' } }, settings: { warehouse: '01', shippingItemCode: 'SHIP', approvalThreshold: '5000' } };
function median(xs: number[]) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; }
async function rate(name: string, n: number, fn: () => unknown | Promise<unknown>) {
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) await fn(); rounds.push(Number(process.hrtime.bigint() - t) / 1e9); }
  const m = median(rounds);
  process.stdout.write(`${name}: median ${(n / m).toFixed(0)}/s (${((m / n) * 1e6).toFixed(1)} µs each), 5 rounds of ${n}\n`);
}
const dRule = { '>': [{ var: 'event.payload.total' }, { var: 'settings.approvalThreshold' }] };
const tRule = { '==': [{ var: 'event.payload.currency' }, 'EUR'] };
await rate('condition, decimal compare', 100_000, () => evaluateCondition(dRule, ctx));
await rate('condition, text compare', 100_000, () => evaluateCondition(tRule, ctx));
await rate('mapping, order→SAP (5 lines, decimal helpers)', 5_000, () => evaluateMapping(toSap.expression, ctx));
await rate('mapping, 1-field', 50_000, () => evaluateMapping('event.payload.reference', ctx));
await rate('parse+validate order-to-erp.yaml', 500, () => parseFlow(src, 'x'));
const sandbox = new MappingSandbox();
await rate('sandboxed mapping, order→SAP (worker round trip)', 2_000, () => sandbox.evaluate(toSap.expression, ctx));
await sandbox.close();
process.stdout.write(`load average at the end: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
