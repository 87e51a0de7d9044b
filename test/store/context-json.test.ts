/** The run context's text is exactly JSON.stringify's, also when the step outputs' texts are reused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextToJson } from '../../src/store/rows.ts';
import type { RunContextData } from '../../src/store/port.ts';

test('a context serializes like JSON.stringify, the first time and when outputs are reused', () => {
  const steps: Record<string, unknown> = { order: { id: 7, lines: [{ sku: 'A', qty: '2.000' }], at: new Date(0) }, skipped: null, text: 'x', 'we"ird': [1, { gone: undefined }], missing: undefined };
  const ctx: RunContextData = { steps, vars: { 'reconcile:create': true } };
  assert.equal(contextToJson(ctx), JSON.stringify(ctx));
  steps.next = { DocNum: 12 };
  ctx.vars = {};
  assert.equal(contextToJson(ctx), JSON.stringify(ctx), 'a new output and changed vars appear');
  assert.equal(contextToJson({ steps: {}, vars: {} }), '{"steps":{},"vars":{}}');
});
