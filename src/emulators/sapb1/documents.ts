/**
 * Creating a marketing or inventory document with the business rules a real SAP enforces (spec §6):
 * DocEntry/DocNum and LineNum assigned, lines validated (card, item, warehouse, tax code), copy from a
 * base document (BaseType/BaseEntry/BaseLine) with card and closed-base checks, totals computed, and the
 * stock, commitment and balance effects booked. Everything is checked before anything is changed.
 */
import { Decimal } from 'decimal.js';
import { asObject, fromTemplate } from './bodies.ts';
import { computeTotals, priceLine, type RateOf } from './pricing.ts';
import { DOC_BY_TYPE, documentTemplate, type DocKind } from './schema.ts';
import { missingValue, ruleViolation } from './sap-errors.ts';
import { adjustBalance, adjustWarehouse, applyOrderChange, touch } from './stock.ts';
import type { Store } from './store.ts';
import type { Obj, Row } from './types.ts';
import { nowStamp } from './values.ts';

/** The rate of each tax code, read once per code for the lifetime of the returned function (one request). */
export function taxRates(store: Store): RateOf {
  const seen = new Map<string, Decimal | undefined>();
  return (code) => {
    if (seen.has(code)) return seen.get(code);
    const g = store.get('VatGroups', code);
    const lines = g?.data.VatGroups_Lines as Obj[] | undefined;
    const rate = lines?.[lines.length - 1]?.Rate;
    const out = typeof rate === 'number' ? new Decimal(rate) : undefined;
    seen.set(code, out);
    return out;
  };
}

interface Consumption {
  kind: DocKind;
  row: Row;
  lineNum: number;
  qty: number;
}

function addressText(a: Obj | undefined): string | null {
  if (!a) return null;
  return [a.Street, [a.ZipCode, a.City].filter(Boolean).join(' '), a.Country].filter((p) => p !== null && p !== undefined && p !== '').join('\r');
}

/** Validates and fills the header from the business partner. */
function fillHeader(store: Store, kind: DocKind, doc: Obj, body: Obj): void {
  const { date, time } = nowStamp();
  doc.DocDate ??= date;
  doc.DocDueDate ??= doc.DocDate;
  doc.TaxDate ??= doc.DocDate;
  doc.DocObjectCode = kind.objectCode;
  doc.CreationDate = date;
  doc.UpdateDate = date;
  doc.UpdateTime = time;
  doc.DocTime = `${time.slice(0, 5)}:00`;
  const card = doc.CardCode;
  if (!kind.needsCard && (card === null || card === undefined)) return;
  const bp = typeof card === 'string' ? store.get('BusinessPartners', card) : undefined;
  if (!bp) throw ruleViolation(`Invalid BP code [${kind.table}.CardCode] , '${String(card ?? '')}'`);
  // A frozen or inactive partner cannot receive new documents in B1; the exact code and text are not in
  // the spec (?), so this follows the generic rule error.
  if (bp.data.Frozen === 'tYES' || bp.data.Valid === 'tNO') throw ruleViolation(`Business partner '${String(card)}' is inactive [${kind.table}.CardCode]`);
  doc.CardName ??= bp.data.CardName;
  if (body.PaymentGroupCode === undefined) doc.PaymentGroupCode = bp.data.PayTermsGrpCode;
  if (body.PaymentMethod === undefined) doc.PaymentMethod = bp.data.PeymentMethodCode;
  doc.ShipToCode ??= bp.data.ShipToDefault;
  doc.PayToCode ??= bp.data.BilltoDefault;
  const addrs = (bp.data.BPAddresses as Obj[]) ?? [];
  const ship = addrs.find((a) => a.AddressType === 'bo_ShipTo' && a.AddressName === doc.ShipToCode);
  const bill = addrs.find((a) => a.AddressType === 'bo_BillTo' && a.AddressName === doc.PayToCode);
  doc.Address ??= addressText(bill);
  doc.Address2 ??= addressText(ship);
  doc.AddressExtension ??= {
    ShipToStreet: ship?.Street ?? null, ShipToCity: ship?.City ?? null, ShipToZipCode: ship?.ZipCode ?? null, ShipToCountry: ship?.Country ?? null,
    BillToStreet: bill?.Street ?? null, BillToCity: bill?.City ?? null, BillToZipCode: bill?.ZipCode ?? null, BillToCountry: bill?.Country ?? null,
  };
  doc.JournalMemo ??= `${kind.set} - ${String(card)}`;
}

function copyFromBase(store: Store, kind: DocKind, doc: Obj, line: Obj, given: Obj, n: number): Consumption {
  const at = `[DocumentLines.BaseEntry][line: ${n}]`;
  const baseKind = DOC_BY_TYPE.get(Number(line.BaseType));
  if (!baseKind || !kind.bases.includes(baseKind.objType)) throw ruleViolation(`Base document type ${String(line.BaseType)} cannot be copied to ${kind.set} [DocumentLines.BaseType][line: ${n}]`);
  const base = store.get(baseKind.set, Number(line.BaseEntry));
  if (!base) throw ruleViolation(`Base document ${String(line.BaseEntry)} was not found ${at}`);
  if (base.data.CardCode !== doc.CardCode) throw ruleViolation('Base document card and target document card do not match.');
  const baseLine = (base.data.DocumentLines as Obj[]).find((l) => l.LineNum === Number(line.BaseLine));
  if (!baseLine) throw ruleViolation(`Base line ${String(line.BaseLine)} does not exist in the base document ${at}`);
  if (base.data.DocumentStatus !== 'bost_Open' || base.data.Cancelled === 'tYES' || baseLine.LineStatus !== 'bost_Open') {
    throw ruleViolation('One of the base documents has already been closed');
  }
  for (const f of ['ItemCode', 'ItemDescription', 'UnitPrice', 'DiscountPercent', 'TaxCode', 'WarehouseCode', 'AccountCode', 'CostingCode', 'ProjectCode']) {
    if (given[f] === undefined) line[f] = baseLine[f];
  }
  if (given.Quantity === undefined) line.Quantity = baseLine.RemainingOpenQuantity;
  line.BaseOpenQuantity = baseLine.RemainingOpenQuantity;
  return { kind: baseKind, row: base, lineNum: Number(line.BaseLine), qty: Number(line.Quantity) };
}

function checkLine(store: Store, kind: DocKind, doc: Obj, line: Obj, given: Obj, n: number, rateOf: RateOf): void {
  if (typeof line.ItemCode !== 'string' || line.ItemCode === '') throw missingValue(`Item number is missing; specify an item number [DocumentLines.ItemCode][line: ${n}]`);
  const item = store.get('Items', line.ItemCode);
  if (!item) throw ruleViolation(`Invalid item code '${line.ItemCode}' [DocumentLines.ItemCode][line: ${n}]`);
  if (!(Number(line.Quantity) > 0)) throw ruleViolation(`Quantity must be greater than zero [DocumentLines.Quantity][line: ${n}]`);
  line.WarehouseCode ??= item.data.DefaultWarehouse;
  if (!store.get('Warehouses', String(line.WarehouseCode))) throw ruleViolation(`Invalid warehouse code '${String(line.WarehouseCode)}' [DocumentLines.WarehouseCode][line: ${n}]`);
  line.ItemDescription ??= item.data.ItemName;
  if (kind.taxed) line.TaxCode ??= item.data.SalesVATGroup;
  const rate = line.TaxCode ? rateOf(String(line.TaxCode)) : new Decimal(0);
  if (!rate) throw ruleViolation(`Invalid tax code '${String(line.TaxCode)}' [DocumentLines.TaxCode][line: ${n}]`);
  line.VatGroup = line.TaxCode;
  if (given.UnitPrice === undefined && given.Price === undefined && line.UnitPrice === 0) {
    const prices = (item.data.ItemPrices as Obj[]) ?? [];
    line.UnitPrice = prices.find((p) => p.PriceList === 1)?.Price ?? 0;
  }
  priceLine(line, rate, given.UnitPrice === undefined && given.Price === undefined ? { UnitPrice: line.UnitPrice } : given);
  line.ShipDate ??= doc.DocDueDate;
  line.RemainingOpenQuantity = line.Quantity;
  line.OpenAmount = line.LineTotal;
  line.LineStatus = 'bost_Open';
}

/** Creates a document of `kind` from a POST body; returns the stored row. */
export function createDocument(store: Store, kind: DocKind, rawBody: unknown): Row {
  const body = asObject(rawBody, kind.set);
  const doc = fromTemplate(documentTemplate(), body, 'Document');
  fillHeader(store, kind, doc, body);
  const givenLines = Array.isArray(body.DocumentLines) ? (body.DocumentLines as Obj[]) : [];
  const docLines = doc.DocumentLines as Obj[];
  if (docLines.length === 0) throw missingValue(`Document has no lines; add at least one line [${kind.table}.DocumentLines]`);
  const rateOf = taxRates(store);
  const consumed: Consumption[] = [];
  docLines.forEach((line, i) => {
    const given = givenLines[i] ?? {};
    line.LineNum = i;
    if (line.BaseType !== -1 && line.BaseType !== null && line.BaseType !== undefined) consumed.push(copyFromBase(store, kind, doc, line, given, i + 1));
    else line.BaseType = -1;
    checkLine(store, kind, doc, line, given, i + 1, rateOf);
  });
  (doc.DocumentAdditionalExpenses as Obj[]).forEach((e, i) => {
    e.LineNum = i;
    if (e.TaxCode && !rateOf(String(e.TaxCode))) throw ruleViolation(`Invalid tax code '${String(e.TaxCode)}' [DocumentAdditionalExpenses.TaxCode][line: ${i + 1}]`);
  });
  computeTotals(doc, rateOf);

  // Validation is over: from here on the document is booked.
  doc.DocEntry = store.nextDocEntry(kind.set);
  doc.DocNum = store.nextDocNum(kind.set);
  const set = store.set(kind.set)!;
  const row = store.put(set, doc);
  for (const c of consumed) consumeBaseLine(store, c);
  bookEffects(store, kind, doc);
  return row;
}

/** Lowers the open quantity of a base line; closes it, and the base document when no line is open. */
function consumeBaseLine(store: Store, c: Consumption): void {
  const before = c.kind.set === 'Orders' ? structuredClone(c.row.data) : null;
  const line = (c.row.data.DocumentLines as Obj[]).find((l) => l.LineNum === c.lineNum)!;
  const left = Math.max(0, new Decimal(Number(line.RemainingOpenQuantity)).minus(c.qty).toNumber());
  line.RemainingOpenQuantity = left;
  line.OpenAmount = new Decimal(Number(line.LineTotal)).times(left).div(Number(line.Quantity) || 1).toDecimalPlaces(2).toNumber();
  if (left === 0) line.LineStatus = 'bost_Close';
  // B1 closes the base once every line is closed (standard behaviour; not stated in the SL docs (?)).
  if ((c.row.data.DocumentLines as Obj[]).every((l) => l.LineStatus === 'bost_Close')) {
    c.row.data.DocumentStatus = 'bost_Close';
    c.row.data.ClosingDate = nowStamp().date;
  }
  touch(store, c.kind.set, c.row);
  if (before) applyOrderChange(store, before, c.row.data);
}

function bookEffects(store: Store, kind: DocKind, doc: Obj): void {
  if (kind.stock === 'commit') applyOrderChange(store, null, doc);
  else if (kind.stock !== 'none') {
    const sign = kind.stock === 'in' ? 1 : -1;
    for (const l of doc.DocumentLines as Obj[]) {
      // A line copied from a document that already moved stock the same way does not move it again
      // (an invoice from a delivery, a credit note from a return).
      const baseKind = DOC_BY_TYPE.get(Number(l.BaseType));
      if (baseKind && baseKind.stock === kind.stock) continue;
      adjustWarehouse(store, String(l.ItemCode), String(l.WarehouseCode), { inStock: sign * Number(l.Quantity) });
    }
  }
  if (kind.balance !== 0 && typeof doc.CardCode === 'string') adjustBalance(store, doc.CardCode, new Decimal(Number(doc.DocTotal)).times(kind.balance));
}
