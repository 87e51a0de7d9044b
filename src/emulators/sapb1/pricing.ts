/**
 * Document totals the way B1 computes them: line total = quantity × price after line discount, rounded to
 * 2 decimals (half away from zero); tax per line from its tax code, on the total after the header discount;
 * DocTotal = lines − header discount + freight + VatSum.
 */
import { Decimal } from 'decimal.js';
import { round2 } from './stock.ts';
import type { Obj } from './types.ts';

export type RateOf = (taxCode: string) => Decimal | undefined;

/** Prices one line in place from its UnitPrice (or Price, when only that was given) and discount. */
export function priceLine(line: Obj, rate: Decimal, given: Obj): void {
  const disc = new Decimal(Number(line.DiscountPercent ?? 0));
  // The spec says UnitPrice is before the line discount and Price after it (marked uncertain); a body
  // that sends only Price is read as the unit price before discount.
  const unit = new Decimal(Number(given.UnitPrice ?? given.Price ?? line.UnitPrice ?? 0));
  const price = unit.times(new Decimal(100).minus(disc)).div(100);
  const qty = new Decimal(Number(line.Quantity ?? 0));
  line.UnitPrice = unit.toNumber();
  line.Price = price.toDecimalPlaces(6).toNumber();
  line.LineTotal = round2(price.times(qty));
  line.TaxTotal = round2(new Decimal(line.LineTotal as number).times(rate).div(100));
  line.PriceAfterVAT = round2(price.times(rate.plus(100)).div(100));
  line.InventoryQuantity = qty.toNumber();
}

/** Recomputes header totals from lines and additional expenses. */
export function computeTotals(doc: Obj, rateOf: RateOf): void {
  const lines = (doc.DocumentLines as Obj[]) ?? [];
  const hdisc = new Decimal(Number(doc.DiscountPercent ?? 0));
  const factor = new Decimal(100).minus(hdisc).div(100);
  let net = new Decimal(0);
  let vat = new Decimal(0);
  for (const l of lines) {
    net = net.plus(Number(l.LineTotal ?? 0));
    const rate = l.TaxCode ? (rateOf(String(l.TaxCode)) ?? new Decimal(0)) : new Decimal(0);
    vat = vat.plus(round2(new Decimal(Number(l.LineTotal ?? 0)).times(factor).times(rate).div(100)));
  }
  const discount = round2(net.times(hdisc).div(100));
  let freight = new Decimal(0);
  for (const e of (doc.DocumentAdditionalExpenses as Obj[]) ?? []) {
    const rate = e.TaxCode ? (rateOf(String(e.TaxCode)) ?? new Decimal(0)) : new Decimal(0);
    e.TaxSum = round2(new Decimal(Number(e.LineTotal ?? 0)).times(rate).div(100));
    e.VatGroup = e.TaxCode ?? null;
    freight = freight.plus(Number(e.LineTotal ?? 0));
    vat = vat.plus(e.TaxSum as number);
  }
  doc.TotalDiscount = discount;
  doc.VatSum = round2(vat);
  doc.DocTotal = round2(net.minus(discount).plus(freight).plus(vat));
}
