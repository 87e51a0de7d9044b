/**
 * Value rules shared by bodies and `$filter`: enum names versus database values, date and time fields, and
 * how a stored row is rendered for v1 or v2.
 */
import type { Obj, Version } from './types.ts';

const YES_NO = { Y: 'tYES', N: 'tNO' };
const DOC_STATUS = { O: 'bost_Open', C: 'bost_Close' };

/** SAP accepts the member name or the database value of an enum, in bodies and in `$filter` (spec §1). */
export const ENUMS: Record<string, Record<string, string>> = {
  CardType: { C: 'cCustomer', S: 'cSupplier', L: 'cLid' },
  AddressType: { S: 'bo_ShipTo', B: 'bo_BillTo' },
  DocType: { I: 'dDocument_Items', S: 'dDocument_Service' },
  DocumentStatus: DOC_STATUS,
  LineStatus: DOC_STATUS,
  CancelStatus: { Y: 'csYes', N: 'csNo', C: 'csCancellation' },
  Frozen: YES_NO,
  Valid: YES_NO,
  Cancelled: YES_NO,
  InventoryItem: YES_NO,
  SalesItem: YES_NO,
  PurchaseItem: YES_NO,
  ManageStockByWarehouse: YES_NO,
  ManageBatchNumbers: YES_NO,
  ManageSerialNumbers: YES_NO,
  Locked: YES_NO,
  Inactive: YES_NO,
  Active: YES_NO,
};

export function normaliseEnum(field: string, value: unknown): unknown {
  const table = ENUMS[field];
  if (!table || typeof value !== 'string') return value;
  return table[value] ?? value;
}

/** Fields of type Edm.DateTime (v1) / Edm.DateTimeOffset (v2). Stored as `YYYY-MM-DD`. */
export const DATE_FIELDS = new Set([
  'DocDate', 'DocDueDate', 'TaxDate', 'CreationDate', 'UpdateDate', 'CreateDate', 'ShipDate', 'RequiredDate',
  'RequriedDate', 'ValidFrom', 'ValidTo', 'FrozenFrom', 'FrozenTo', 'CancelDate', 'ClosingDate', 'Effectivefrom',
]);
/** Fields of type Edm.Time (v1) / Edm.TimeOfDay (v2). Stored as `HH:MM:SS`. */
export const TIME_FIELDS = new Set(['DocTime', 'UpdateTime', 'CreateTime']);

/** Accepts `2014-04-23`, `20140423`, `2014-04-23T12:21:21`, `2014-04-23T00:00:00Z`; the time part is dropped. */
export function toDate(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(v.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/** Accepts `18:38`, `18:38:05`, `2014-04-23T18:38:05`, `PT18H38M`; the date part is dropped. */
export function toTime(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const iso = /^PT(\d+)H(?:(\d+)M)?(?:(\d+)S)?$/.exec(v);
  if (iso) return [iso[1], iso[2] ?? '0', iso[3] ?? '0'].map((p) => String(p).padStart(2, '0')).join(':');
  const m = /(?:^|T)(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(v);
  return m ? `${m[1]!.padStart(2, '0')}:${m[2]}:${m[3] ?? '00'}` : undefined;
}

export interface Stamp {
  date: string;
  time: string;
}

/**
 * The emulator's clock: the server's local time in a real SAP, UTC here. `offsetMs` lets a test move
 * time forward without sleeping.
 */
export const clock = { offsetMs: 0 };

/** The last stamp made, reused while the clock shows the same millisecond. */
let last = { at: NaN, date: '', time: '' };

export function nowStamp(): Stamp {
  const at = Date.now() + clock.offsetMs;
  if (at !== last.at) {
    const iso = new Date(at).toISOString();
    last = { at, date: iso.slice(0, 10), time: iso.slice(11, 19) };
  }
  return { date: last.date, time: last.time };
}

/**
 * v2 dates: the spec observed `"2023-09-25T00:00:00Z"` on the wire but marks it uncertain; we send that form.
 * v1 dates stay `"2014-04-01"` (documented). Times are `HH:MM:SS` in both.
 */
function renderV2(value: Obj): Obj {
  const out: Obj = {};
  for (const k in value) {
    const v = value[k];
    if (typeof v === 'string' && DATE_FIELDS.has(k) && v.length === 10) out[k] = `${v}T00:00:00Z`;
    else if (Array.isArray(v)) out[k] = v.map((x: unknown) => (x !== null && typeof x === 'object' ? renderV2(x as Obj) : x));
    else out[k] = v;
  }
  return out;
}

/** The wire form of one stored row, with `$select` applied. Never returns the stored object itself when it must change. */
export function renderRow(version: Version, data: Obj, select: string[] | undefined): Obj {
  let row = data;
  if (select) {
    row = {};
    for (const f of select) if (f in data) row[f] = data[f];
  }
  return version === 'v2' ? renderV2(row) : row;
}
