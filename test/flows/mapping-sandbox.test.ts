import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { UserError } from '../../src/core/errors.ts';
import { MappingSandbox } from '../../src/flows/mapping-sandbox.ts';

const sandbox = new MappingSandbox({ workers: 2, timeoutMs: 100, hardTimeoutMs: 500 });
after(() => sandbox.close());

const CATASTROPHIC = { expr: '$match(s, /^(a+)+$/)', data: { s: `${'a'.repeat(34)}b` } };

void describe('MappingSandbox', () => {
  void it('evaluates a mapping with the decimal helpers in a worker', async () => {
    assert.equal(await sandbox.evaluate('$decRound($decMul(price, qty))', { price: '19.99', qty: 3 }), '59.97');
  });

  void it('stops a catastrophic regular expression at the hard deadline and keeps serving', async () => {
    const started = Date.now();
    await assert.rejects(sandbox.evaluate(CATASTROPHIC.expr, CATASTROPHIC.data), (e: unknown) => e instanceof UserError && e.code === 'OF_MAP_TIMEOUT' && /nested repetition/.test(e.message));
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5_000, `stopped after ${elapsed} ms`);
    assert.equal(await sandbox.evaluate('a & b', { a: 'still ', b: 'working' }), 'still working');
  });

  void it('answers other evaluations while one worker is stuck', async () => {
    const stuck = sandbox.evaluate(CATASTROPHIC.expr, CATASTROPHIC.data).catch((e: unknown) => e);
    assert.equal(await sandbox.evaluate('$decAdd("0.1", "0.2")', {}), '0.3');
    assert.ok((await stuck) instanceof UserError);
  });

  void it('passes mapping errors back with their kind and code', async () => {
    await assert.rejects(sandbox.evaluate('$decAdd(missing, "1")', {}), (e: unknown) => e instanceof UserError && e.code === 'OF_MAP_EVAL');
  });
});
