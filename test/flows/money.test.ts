import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { UserError } from '../../src/core/errors.ts';
import { addMoney, compareMoney, dec, divMoney, isDecimalString, mulMoney, roundMoney, subMoney, sumMoney, toMoneyString } from '../../src/core/money.ts';
import { parseDuration } from '../../src/flows/duration.ts';

void describe('money helpers', () => {
  void it('adds amounts without binary floating point error', () => {
    assert.equal(addMoney('0.1', '0.2'), '0.3');
    assert.equal(sumMoney(['19.99', '0.01', '100.00']), '120');
    assert.equal(sumMoney([]), '0');
  });

  void it('multiplies and subtracts exactly and keeps plain notation', () => {
    assert.equal(mulMoney('19.99', '3'), '59.97');
    assert.equal(mulMoney('0.0000001', '1'), '0.0000001');
    assert.equal(subMoney('10', '10.50'), '-0.5');
    assert.equal(toMoneyString('1000.00'), '1000');
    assert.equal(toMoneyString(0.1), '0.1');
  });

  void it('rounds half up to two places by default and always shows the places', () => {
    assert.equal(roundMoney('2.005'), '2.01');
    assert.equal(roundMoney('2.004'), '2.00');
    assert.equal(roundMoney('-2.005'), '-2.01');
    assert.equal(roundMoney('3'), '3.00');
    assert.equal(roundMoney('1.23456', 4), '1.2346');
    assert.equal(roundMoney('-0.001'), '0.00');
  });

  void it('divides with enough precision and refuses division by zero as a user error', () => {
    assert.equal(roundMoney(divMoney('10', '3')), '3.33');
    assert.throws(() => divMoney('1', '0'), (e: unknown) => e instanceof UserError && e.code === 'OF_MONEY_DIVISION_BY_ZERO');
  });

  void it('compares numerically, not as text', () => {
    assert.equal(compareMoney('5000.10', '5000'), 1);
    assert.equal(compareMoney('1.50', '1.5'), 0);
    assert.equal(compareMoney('9', '10'), -1);
  });

  void it('recognises decimal strings and rejects other text with a message naming the fix', () => {
    assert.ok(isDecimalString('1234.50') && isDecimalString('-0.5') && isDecimalString(' 7 '));
    assert.ok(!isDecimalString('1,5') && !isDecimalString('1e3') && !isDecimalString('') && !isDecimalString(5));
    assert.throws(
      () => dec('12,50'),
      (e: unknown) => e instanceof UserError && e.code === 'OF_MONEY_INVALID' && /"12,50" is not a decimal amount; use a string such as "1234.50"/.test(e.message),
    );
    assert.throws(() => dec(Number.NaN), (e: unknown) => e instanceof UserError && e.code === 'OF_MONEY_INVALID');
  });
});

void describe('durations', () => {
  void it('parses every unit and a number of milliseconds', () => {
    assert.deepEqual(['500ms', '30s', '5m', '2h', '3d', '1.5h', 250].map(parseDuration), [500, 30_000, 300_000, 7_200_000, 259_200_000, 5_400_000, 250]);
  });

  void it('rejects unknown syntax with a message listing the accepted forms', () => {
    for (const bad of ['5 minutes', '1h30m', '-5m', '']) {
      assert.throws(() => parseDuration(bad), (e: unknown) => e instanceof UserError && e.code === 'OF_FLOW_DURATION_INVALID' && /ms, s, m, h or d/.test(e.message));
    }
    assert.throws(() => parseDuration(-1), /whole, non-negative/);
    assert.throws(() => parseDuration('400d'), /longer than 366 days/);
  });
});
