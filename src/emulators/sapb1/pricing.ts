/**
 * Document totals the way B1 computes them: line total = quantity × price after line discount, rounded to
 * 2 decimals (half away from zero); tax per line from its tax code, on the total after the header discount;
 * DocTotal = lines − header discount + freight + VatSum.
 */
import { Decimal } from 'decimal.js';
import { round2 } from './stock.ts';
import type { Obj } from './types.ts';

export type RateOf = (taxCode: string) => Decimal | undefined;

const ZERO = new Decimal(0);
const HUNDRED = new Decimal(100);

/** `amount × (100 − percent) / 100`; the amount itself when there is no discount (the same value, exactly). */
function afterDiscount(amount: Decimal, percent: Decimal): Decimal {
  return percent.isZero() ? amount : amount.times(HUNDRED.minus(percent)).div(HUNDRED);
}

/** Prices one line in place from its UnitPrice (or Price, when only that was given) and discount. */
export function priceLine(line: Obj, rate: Decimal, given: Obj): void {
  const disc = new Decimal(Number(line.DiscountPercent ?? 0));
  // The spec says UnitPrice is before the line discount and Price after it (marked uncertain); a body
  // that sends only Price is read as the unit price before discount.
  const unit = new Decimal(Number(given.UnitPrice ?? given.Price ?? line.UnitPrice ?? 0));
  const price = afterDiscount(unit, disc);
  const qty = new Decimal(Number(line.Quantity ?? 0));
  line.UnitPrice = unit.toNumber();
  line.Price = price.toDecimalPlaces(6).toNumber();
  line.LineTotal = round2(price.times(qty));
  line.TaxTotal = round2(new Decimal(line.LineTotal as number).times(rate).div(HUNDRED));
  line.PriceAfterVAT = round2(price.times(rate.plus(HUNDRED)).div(HUNDRED));
  line.InventoryQuantity = qty.toNumber();
}

/** Recomputes header totals from lines and additional expenses. */
export function computeTotals(doc: Obj, rateOf: RateOf): void {
  const lines = (doc.DocumentLines as Obj[]) ?? [];
  const hdisc = new Decimal(Number(doc.DiscountPercent ?? 0));
  // Each line's share of the header discount: its total × (100 − discount) / 100.
  const factor = HUNDRED.minus(hdisc).div(HUNDRED);
  let net = ZERO;
  let vat = ZERO;
  for (const l of lines) {
    const total = new Decimal(Number(l.LineTotal ?? 0));
    net = net.plus(total);
    const rate = l.TaxCode ? (rateOf(String(l.TaxCode)) ?? ZERO) : ZERO;
    vat = vat.plus(round2((hdisc.isZero() ? total : total.times(factor)).times(rate).div(HUNDRED)));
  }
  const discount = round2(net.times(hdisc).div(HUNDRED));
  let freight = ZERO;
  for (const e of (doc.DocumentAdditionalExpenses as Obj[]) ?? []) {
    const rate = e.TaxCode ? (rateOf(String(e.TaxCode)) ?? ZERO) : ZERO;
    const total = new Decimal(Number(e.LineTotal ?? 0));
    e.TaxSum = round2(total.times(rate).div(HUNDRED));
    e.VatGroup = e.TaxCode ?? null;
    freight = freight.plus(total);
    vat = vat.plus(e.TaxSum as number);
  }
  doc.TotalDiscount = discount;
  doc.VatSum = round2(vat);
  doc.DocTotal = round2(net.minus(discount).plus(freight).plus(vat));
}
