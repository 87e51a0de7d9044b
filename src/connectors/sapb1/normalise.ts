/** SAP's JSON into the connector's output shapes: amounts and quantities become decimal strings. */
import { toMoneyString } from '../../core/money.ts';
import { datePart, timePart } from './odata.ts';
import type { BusinessPartner, DocumentEntity, DocumentLine, SapAddress, SapDocument } from './types.ts';

type Raw = Record<string, unknown>;

/** A number or numeric string from SAP as a decimal string ("0" when absent). */
export function decimalString(v: unknown): string {
  if (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '')) return toMoneyString(v);
  return '0';
}

const s = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const n = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const yes = (v: unknown): boolean => v === 'tYES' || v === 'Y';

export function toBusinessPartner(raw: Raw): BusinessPartner {
  const udfs: Raw = {};
  for (const [k, v] of Object.entries(raw)) if (k.startsWith('U_')) udfs[k] = v;
  return {
    ...udfs,
    CardCode: String(raw.CardCode),
    CardName: s(raw.CardName),
    CardType: String(raw.CardType ?? ''),
    EmailAddress: s(raw.EmailAddress),
    FederalTaxID: s(raw.FederalTaxID),
    Phone1: s(raw.Phone1),
    Currency: s(raw.Currency),
    CreditLimit: decimalString(raw.CreditLimit),
    CurrentAccountBalance: decimalString(raw.CurrentAccountBalance),
    OpenOrdersBalance: decimalString(raw.OpenOrdersBalance),
    PayTermsGrpCode: n(raw.PayTermsGrpCode),
    PeymentMethodCode: s(raw.PeymentMethodCode),
    Frozen: yes(raw.Frozen) || raw.Valid === 'tNO',
    ShipToDefault: s(raw.ShipToDefault),
    BilltoDefault: s(raw.BilltoDefault),
    BPAddresses: Array.isArray(raw.BPAddresses) ? (raw.BPAddresses as SapAddress[]) : [],
  };
}

const LINE_AMOUNTS = ['Quantity', 'Price', 'UnitPrice', 'LineTotal', 'TaxTotal', 'RemainingOpenQuantity', 'PriceAfterVAT', 'DiscountPercent', 'OpenAmount'];

function toLine(raw: Raw): DocumentLine {
  const line: Raw = { ...raw };
  for (const f of LINE_AMOUNTS) if (f in raw) line[f] = decimalString(raw[f]);
  return {
    ...line,
    LineNum: Number(raw.LineNum),
    ItemCode: String(raw.ItemCode ?? ''),
    ItemDescription: s(raw.ItemDescription),
    Quantity: decimalString(raw.Quantity),
    Price: decimalString(raw.Price),
    UnitPrice: decimalString(raw.UnitPrice ?? raw.Price),
    LineTotal: decimalString(raw.LineTotal),
    TaxCode: s(raw.TaxCode),
    TaxTotal: decimalString(raw.TaxTotal),
    WarehouseCode: s(raw.WarehouseCode),
    LineStatus: String(raw.LineStatus ?? ''),
    RemainingOpenQuantity: decimalString(raw.RemainingOpenQuantity),
    BaseType: typeof raw.BaseType === 'number' ? raw.BaseType : -1,
    BaseEntry: n(raw.BaseEntry),
    BaseLine: n(raw.BaseLine),
  };
}

export function toDocument(entity: DocumentEntity, raw: Raw, etag?: string): SapDocument {
  return {
    entity,
    DocEntry: Number(raw.DocEntry),
    DocNum: Number(raw.DocNum),
    CardCode: s(raw.CardCode),
    CardName: s(raw.CardName),
    NumAtCard: s(raw.NumAtCard),
    DocDate: datePart(raw.DocDate),
    DocDueDate: datePart(raw.DocDueDate),
    DocTotal: decimalString(raw.DocTotal),
    VatSum: decimalString(raw.VatSum),
    DocCurrency: s(raw.DocCurrency),
    DocumentStatus: String(raw.DocumentStatus ?? ''),
    Cancelled: yes(raw.Cancelled),
    TrackingNumber: s(raw.TrackingNumber),
    UpdateDate: datePart(raw.UpdateDate),
    UpdateTime: timePart(raw.UpdateTime),
    DocumentLines: Array.isArray(raw.DocumentLines) ? (raw.DocumentLines as Raw[]).map(toLine) : [],
    raw,
    etag: etag ?? s(raw['@odata.etag']) ?? undefined,
  };
}

/** `YYYY-MM-DDTHH:MM:SS` from UpdateDate + UpdateTime: a document's version, sortable as a string. */
export function changedAt(raw: Raw): string {
  return `${datePart(raw.UpdateDate) ?? '0000-00-00'}T${timePart(raw.UpdateTime) ?? '00:00:00'}`;
}
