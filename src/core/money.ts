/**
 * Money on decimal strings. Amounts travel through orderflow as strings such as "1234.50" and every
 * operation here goes through decimal.js, never through binary floating point (invariant 6 of the
 * architecture notes). Pure functions, no I/O.
 *
 * Results are plain decimal notation (never exponent notation) so they can be stored, compared as
 * text by a person, and sent to an ERP as-is. Rounding is explicit: only `roundMoney` rounds.
 */
import { Decimal } from 'decimal.js';
import { UserError } from './errors.ts';

/**
 * Our own Decimal constructor: 40 significant digits (far beyond any currency amount, so a chain of
 * multiplications does not lose cents) and half-up rounding, which is how SAP Business One and most
 * tax tables round. Cloning keeps the library's global configuration untouched for other users.
 */
export const MoneyDecimal = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type MoneyDecimal = InstanceType<typeof MoneyDecimal>;

/** What the helpers accept: a decimal string, a finite number, or a Decimal. */
export type DecimalInput = string | number | Decimal;

const DECIMAL_STRING = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** True for strings like "12", "-0.5", "1234.50", " 7.0 " (surrounding blanks allowed); false for "1e3", "1,5", "". */
export function isDecimalString(x: unknown): x is string {
  return typeof x === 'string' && DECIMAL_STRING.test(x.trim());
}

/** Parses an amount. Throws `OF_MONEY_INVALID` (a UserError) for anything that is not a finite decimal. */
export function dec(x: DecimalInput): MoneyDecimal {
  if (x instanceof Decimal) {
    if (!x.isFinite()) throw invalid(x.toString());
    return new MoneyDecimal(x);
  }
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw invalid(String(x));
    return new MoneyDecimal(x);
  }
  if (typeof x === 'string' && isDecimalString(x)) return new MoneyDecimal(x.trim());
  throw invalid(describe(x));
}

/** Canonical plain-notation string of an amount, without rounding: "10.50" + "0.2" → "10.7". */
export function toMoneyString(x: DecimalInput): string {
  return plain(dec(x));
}

export function addMoney(a: DecimalInput, b: DecimalInput): string {
  return plain(dec(a).plus(dec(b)));
}

export function subMoney(a: DecimalInput, b: DecimalInput): string {
  return plain(dec(a).minus(dec(b)));
}

/** Exact product (no rounding): "19.99" × "3" → "59.97"; round the result with `roundMoney` when the target needs it. */
export function mulMoney(a: DecimalInput, b: DecimalInput): string {
  return plain(dec(a).times(dec(b)));
}

/** Quotient to 40 significant digits. Division by zero is a UserError (`OF_MONEY_DIVISION_BY_ZERO`). */
export function divMoney(a: DecimalInput, b: DecimalInput): string {
  const divisor = dec(b);
  if (divisor.isZero()) {
    throw new UserError('OF_MONEY_DIVISION_BY_ZERO', `cannot divide ${toMoneyString(a)} by zero; check the divisor (a quantity or rate that is 0 or missing)`);
  }
  return plain(dec(a).dividedBy(divisor));
}

/** Sum of many amounts; the sum of nothing is "0". */
export function sumMoney(values: readonly DecimalInput[]): string {
  let total = new MoneyDecimal(0);
  for (const v of values) total = total.plus(dec(v));
  return plain(total);
}

/** Rounds half-up (away from zero on .5) to `places` decimals and always shows them: "2.005" → "2.01", "3" → "3.00". */
export function roundMoney(x: DecimalInput, places = 2): string {
  if (!Number.isInteger(places) || places < 0 || places > 20) {
    throw new UserError('OF_MONEY_INVALID', `rounding places must be a whole number from 0 to 20, got ${String(places)}`);
  }
  const fixed = dec(x).toFixed(places, Decimal.ROUND_HALF_UP);
  return /^-0(?:\.0+)?$/.test(fixed) ? fixed.slice(1) : fixed;
}

/** -1, 0 or 1, comparing numerically: compareMoney("5000.10", "5000") → 1, compareMoney("1.50", "1.5") → 0. */
export function compareMoney(a: DecimalInput, b: DecimalInput): -1 | 0 | 1 {
  const c = dec(a).comparedTo(dec(b));
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

function plain(d: Decimal): string {
  const s = d.toFixed();
  return s === '-0' ? '0' : s;
}

function describe(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x);
  if (x === undefined) return 'undefined (a missing value)';
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}

function invalid(shown: string): UserError {
  return new UserError(
    'OF_MONEY_INVALID',
    `${shown} is not a decimal amount; use a string such as "1234.50" (digits, an optional sign and one dot; no thousands separators or exponents)`,
  );
}
