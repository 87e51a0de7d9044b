import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { UserError } from '../../src/core/errors.ts';
import { checkConditionOperators, evaluateCondition } from '../../src/flows/conditions.ts';

const ctx = {
  event: { type: 'order.confirmed', payload: { total: '5000.10', reference: 'XKBKNABJK', country: 'DE', lines: [{ sku: 'A' }] } },
  steps: { credit: { available: '4999.99' } },
  settings: { approvalThreshold: '5000' },
};

void describe('evaluateCondition', () => {
  void it('compares money strings as decimals, so "5000.10" is greater than "5000"', () => {
    assert.equal(evaluateCondition({ '>': [{ var: 'event.payload.total' }, '5000'] }, ctx), true);
    assert.equal(evaluateCondition({ '>': [{ var: 'event.payload.total' }, { var: 'settings.approvalThreshold' }] }, ctx), true);
    assert.equal(evaluateCondition({ '<': [{ var: 'steps.credit.available' }, { var: 'event.payload.total' }] }, ctx), true);
    // As text, "5000.9" > "5000.10"; as money it is not greater than 5000.95.
    assert.equal(evaluateCondition({ '>': ['5000.9', '5000.95'] }, ctx), false);
  });

  void it('treats equal amounts written differently as equal', () => {
    assert.equal(evaluateCondition({ '==': ['1.50', 1.5] }, ctx), true);
    assert.equal(evaluateCondition({ '!=': ['1.50', '1.5'] }, ctx), false);
    assert.equal(evaluateCondition({ '>=': ['0.3', 0.3] }, ctx), true);
  });

  void it('supports chained comparisons (between) with decimals', () => {
    assert.equal(evaluateCondition({ '<=': ['100', { var: 'event.payload.total' }, '5000.10'] }, ctx), true);
    assert.equal(evaluateCondition({ '<': ['100', { var: 'event.payload.total' }, '5000.10'] }, ctx), false);
  });

  void it('keeps text comparison for non-numeric strings', () => {
    assert.equal(evaluateCondition({ '==': [{ var: 'event.payload.country' }, 'DE'] }, ctx), true);
    assert.equal(evaluateCondition({ '<': ['apple', 'banana'] }, ctx), true);
  });

  void it('offers startsWith and endsWith, false for a missing field', () => {
    assert.equal(evaluateCondition({ startsWith: [{ var: 'event.payload.reference' }, 'XKB'] }, ctx), true);
    assert.equal(evaluateCondition({ endsWith: [{ var: 'event.payload.reference' }, 'JK'] }, ctx), true);
    assert.equal(evaluateCondition({ startsWith: [{ var: 'event.payload.missing' }, 'X'] }, ctx), false);
  });

  void it('runs the standard operators over the run context', () => {
    const rule = { and: [{ in: [{ var: 'event.payload.country' }, ['DE', 'AT']] }, { some: [{ var: 'event.payload.lines' }, { '==': [{ var: 'sku' }, 'A'] }] }] };
    assert.equal(evaluateCondition(rule, ctx), true);
    assert.equal(evaluateCondition({ '!': [{ var: 'event.payload.total' }] }, ctx), false);
  });

  void it('reports an unknown operator at run time as a user error', () => {
    assert.throws(() => evaluateCondition({ nope: [1] }, ctx), (e: unknown) => e instanceof UserError && e.code === 'OF_CONDITION_EVAL');
  });

  void it('cannot reach the host through var paths', () => {
    assert.equal(evaluateCondition({ var: 'constructor.constructor' }, ctx), false);
    assert.equal(evaluateCondition({ '==': [{ var: '__proto__.polluted' }, null] }, ctx), true);
  });
});

void describe('checkConditionOperators', () => {
  void it('accepts a rule made of known operators, including ours', () => {
    assert.deepEqual(checkConditionOperators({ and: [{ '>': [{ var: 'a' }, '1'] }, { startsWith: [{ var: 'b' }, 'x'] }, { preserve: { any: 1, keys: 2 } }] }), []);
  });

  void it('names the path of an unknown operator and suggests the near one', () => {
    const issues = checkConditionOperators({ and: [{ '>': [1, 2] }, { startWith: [{ var: 'b' }, 'x'] }] });
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.path, 'and[1].startWith');
    assert.deepEqual(issues[0]?.segments, ['and', 1, 'startWith']);
    assert.match(issues[0]?.fix ?? '', /did you mean 'startsWith'/);
  });

  void it('rejects an operation object with more than one key', () => {
    const issues = checkConditionOperators({ or: [{ '>': [1, 2], '<': [1, 2] }] });
    assert.equal(issues[0]?.path, 'or[0]');
    assert.match(issues[0]?.message ?? '', /exactly one key/);
  });
});
