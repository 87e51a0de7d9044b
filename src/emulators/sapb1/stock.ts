/**
 * Side effects of documents on stock and balances, as B1 books them: an open order raises `Committed` by its
 * open quantities (and the customer's `OpenOrdersBalance` by its open value); deliveries, invoices not based
 * on a delivery and goods issues lower `InStock`; returns, credit notes and goods receipts raise it.
 */
import { Decimal } from 'decimal.js';
import type { Store } from './store.ts';
import type { Obj, Row } from './types.ts';
import { nowStamp } from './values.ts';

/** Sets UpdateDate/UpdateTime and bumps the row's version (its ETag changes). */
export function touch(store: Store, setName: string, row: Row, before?: Obj): void {
  const { date, time } = nowStamp();
  row.data.UpdateDate = date;
  row.data.UpdateTime = time;
  const set = store.set(setName);
  if (set) store.changed(set, row, before);
}

export function round2(d: Decimal.Value): number {
  return (Decimal.isDecimal(d) ? d : new Decimal(d)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber();
}

function lines(doc: Obj): Obj[] {
  return Array.isArray(doc.DocumentLines) ? (doc.DocumentLines as Obj[]) : [];
}

function isOpen(doc: Obj | null): doc is Obj {
  return doc !== null && doc.DocumentStatus === 'bost_Open' && doc.Cancelled !== 'tYES';
}

/** Open quantity per `item|warehouse` of an order (empty when the order is closed or cancelled). */
function commitments(doc: Obj | null): Map<string, number> {
  const out = new Map<string, number>();
  if (!isOpen(doc)) return out;
  for (const l of lines(doc)) {
    if (l.LineStatus !== 'bost_Open') continue;
    const key = `${String(l.ItemCode)}|${String(l.WarehouseCode)}`;
    out.set(key, (out.get(key) ?? 0) + Number(l.RemainingOpenQuantity ?? 0));
  }
  return out;
}

/** The open value of an order, gross, as B1 counts it in `OpenOrdersBalance`. */
export function openValue(doc: Obj | null): Decimal {
  let sum = new Decimal(0);
  if (!isOpen(doc)) return sum;
  for (const l of lines(doc)) {
    if (l.LineStatus !== 'bost_Open') continue;
    const qty = Number(l.Quantity ?? 0);
    if (qty <= 0) continue;
    const remaining = Number(l.RemainingOpenQuantity ?? 0);
    const gross = new Decimal(Number(l.LineTotal ?? 0)).plus(Number(l.TaxTotal ?? 0));
    // A line still wholly open counts in full (its share, remaining / quantity, is exactly 1).
    sum = sum.plus(remaining === qty ? gross : new Decimal(remaining).div(qty).times(gross));
  }
  return sum;
}

function qty(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** Moves stock figures of one item in one warehouse and keeps the item's totals in step. */
export function adjustWarehouse(store: Store, itemCode: string, wh: string, delta: { inStock?: number; committed?: number; ordered?: number }): void {
  const row = store.get('Items', itemCode);
  if (!row) return;
  const infos = row.data.ItemWarehouseInfoCollection as Obj[];
  let info = infos.find((w) => w.WarehouseCode === wh);
  if (!info) {
    info = { WarehouseCode: wh, InStock: 0, Committed: 0, Ordered: 0, MinimalStock: 0, MaximalStock: 0, MinimalOrder: 0, Locked: 'tNO', ItemCode: itemCode };
    infos.push(info);
  }
  // Quantities, not money: plain numbers kept to 6 decimals (B1's quantity precision) are exact enough.
  if (delta.inStock) info.InStock = qty(Number(info.InStock ?? 0) + delta.inStock);
  if (delta.committed) info.Committed = qty(Number(info.Committed ?? 0) + delta.committed);
  if (delta.ordered) info.Ordered = qty(Number(info.Ordered ?? 0) + delta.ordered);
  let onStock = 0;
  let committed = 0;
  let ordered = 0;
  for (const w of infos) {
    onStock += Number(w.InStock ?? 0);
    committed += Number(w.Committed ?? 0);
    ordered += Number(w.Ordered ?? 0);
  }
  row.data.QuantityOnStock = qty(onStock);
  row.data.QuantityOrderedByCustomers = qty(committed);
  row.data.QuantityOrderedFromVendors = qty(ordered);
  touch(store, 'Items', row);
}

/** Applies the difference between an order's state before and after a change (null = absent). */
export function applyOrderChange(store: Store, before: Obj | null, after: Obj | null): void {
  const was = commitments(before);
  const now = commitments(after);
  for (const key of new Set([...was.keys(), ...now.keys()])) {
    const d = (now.get(key) ?? 0) - (was.get(key) ?? 0);
    if (d === 0) continue;
    const [item, wh] = key.split('|') as [string, string];
    adjustWarehouse(store, item, wh, { committed: d });
  }
  const card = String((after ?? before)?.CardCode ?? '');
  const bp = store.get('BusinessPartners', card);
  const dv = openValue(after).minus(openValue(before));
  if (bp && !dv.isZero()) bp.data.OpenOrdersBalance = round2(new Decimal(Number(bp.data.OpenOrdersBalance ?? 0)).plus(dv));
}

export function adjustBalance(store: Store, cardCode: string, amount: Decimal): void {
  const bp = store.get('BusinessPartners', cardCode);
  if (bp) bp.data.CurrentAccountBalance = round2(new Decimal(Number(bp.data.CurrentAccountBalance ?? 0)).plus(amount));
}
