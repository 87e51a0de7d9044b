/**
 * Changing a document after it exists: PATCH (header fields and lines, totals recomputed), the bound
 * actions Close, Cancel and Reopen, and DELETE, which B1 refuses for documents (-5006).
 */
import { Decimal } from 'decimal.js';
import { asObject, mergePatch } from './bodies.ts';
import { taxRates } from './documents.ts';
import { computeTotals, priceLine } from './pricing.ts';
import type { DocKind } from './schema.ts';
import { notSupported, ruleViolation } from './sap-errors.ts';
import { applyOrderChange, touch } from './stock.ts';
import type { Store } from './store.ts';
import type { Obj, Row } from './types.ts';
import { nowStamp } from './values.ts';

const READ_ONLY = new Set([
  'DocEntry', 'DocNum', 'DocObjectCode', 'CardCode', 'DocTotal', 'VatSum', 'TotalDiscount', 'DocumentStatus', 'Cancelled',
  'CancelStatus', 'CreationDate', 'UpdateDate', 'UpdateTime', 'ClosingDate', 'CancelDate',
]);

function lines(doc: Obj): Obj[] {
  return doc.DocumentLines as Obj[];
}

function assertOpen(doc: Obj): void {
  if (doc.DocumentStatus !== 'bost_Open' || doc.Cancelled === 'tYES') throw ruleViolation('Document is already closed');
}

export function patchDocument(store: Store, kind: DocKind, row: Row, rawBody: unknown, replaceCollections: boolean): void {
  const patch = asObject(rawBody, kind.set);
  assertOpen(row.data);
  const before = row.data;
  const next = structuredClone(before);
  mergePatch(next, patch, 'Document', READ_ONLY, replaceCollections);
  const rateOf = taxRates(store);
  const givenLines = Array.isArray(patch.DocumentLines) ? (patch.DocumentLines as Obj[]) : [];
  for (const line of lines(next)) {
    const old = lines(before).find((l) => l.LineNum === line.LineNum && l.ItemCode === line.ItemCode);
    const delivered = old ? new Decimal(Number(old.Quantity)).minus(Number(old.RemainingOpenQuantity)).toNumber() : 0;
    const remaining = new Decimal(Number(line.Quantity)).minus(delivered).toNumber();
    if (remaining < 0) throw ruleViolation(`Quantity cannot be lower than the quantity already copied to target documents [DocumentLines.Quantity][line: ${Number(line.LineNum) + 1}]`);
    if (typeof line.ItemCode !== 'string' || !store.get('Items', line.ItemCode)) throw ruleViolation(`Invalid item code '${String(line.ItemCode)}' [DocumentLines.ItemCode][line: ${Number(line.LineNum) + 1}]`);
    line.TaxCode ??= store.get('Items', line.ItemCode)?.data.SalesVATGroup ?? null;
    line.WarehouseCode ??= '01';
    const rate = line.TaxCode ? rateOf(String(line.TaxCode)) : new Decimal(0);
    if (!rate) throw ruleViolation(`Invalid tax code '${String(line.TaxCode)}' [DocumentLines.TaxCode][line: ${Number(line.LineNum) + 1}]`);
    const given = givenLines.find((g) => g.LineNum === line.LineNum) ?? {};
    priceLine(line, rate, given.UnitPrice !== undefined || given.Price !== undefined ? given : { UnitPrice: line.UnitPrice });
    line.VatGroup = line.TaxCode;
    line.RemainingOpenQuantity = remaining;
    line.OpenAmount = line.LineTotal;
    line.LineStatus = remaining === 0 && delivered > 0 ? 'bost_Close' : 'bost_Open';
  }
  computeTotals(next, rateOf);
  const indexed = store.indexedValues(store.set(kind.set)!, before);
  row.data = next;
  touch(store, kind.set, row, indexed);
  if (kind.set === 'Orders') applyOrderChange(store, before, next);
}

/** POST /<Set>(key)/Close|Cancel|Reopen. The spec assumes 204 for all three (uncertain); so do we. */
export function documentAction(store: Store, kind: DocKind, row: Row, action: string): void {
  if (!kind.closable) throw notSupported();
  const before = structuredClone(row.data);
  const doc = row.data;
  const today = nowStamp().date;
  switch (action) {
    case 'Close':
      assertOpen(doc);
      doc.DocumentStatus = 'bost_Close';
      doc.ClosingDate = today;
      for (const l of lines(doc)) l.LineStatus = 'bost_Close';
      break;
    case 'Cancel': {
      assertOpen(doc);
      // Cancelling is allowed only while nothing has been copied from the document (spec §6).
      if (lines(doc).some((l) => Number(l.RemainingOpenQuantity) < Number(l.Quantity))) {
        throw ruleViolation('Cannot cancel the document: it has been copied to a target document');
      }
      doc.Cancelled = 'tYES';
      doc.CancelStatus = 'csCancellation';
      doc.DocumentStatus = 'bost_Close';
      doc.CancelDate = today;
      for (const l of lines(doc)) l.LineStatus = 'bost_Close';
      break;
    }
    case 'Reopen': {
      if (doc.Cancelled === 'tYES' || doc.DocumentStatus === 'bost_Open') throw ruleViolation('Only a manually closed document can be reopened');
      const open = lines(doc).filter((l) => Number(l.RemainingOpenQuantity) > 0);
      if (open.length === 0) throw ruleViolation('Only a manually closed document can be reopened');
      for (const l of open) l.LineStatus = 'bost_Open';
      doc.DocumentStatus = 'bost_Open';
      doc.ClosingDate = null;
      break;
    }
    default:
      throw notSupported();
  }
  touch(store, kind.set, row);
  if (kind.set === 'Orders') applyOrderChange(store, before, doc);
}
