/** Business partners and items: create with SAP's duplicate and reference checks, PATCH, DELETE. */
import { asObject, fromTemplate, mergePatch } from './bodies.ts';
import { businessPartnerTemplate, itemTemplate, warehouseInfoTemplate } from './schema.ts';
import { duplicateRow, missingValue, notSupported, ruleViolation, SapFault } from './sap-errors.ts';
import { touch } from './stock.ts';
import type { EntitySet, Store } from './store.ts';
import type { Obj, Row } from './types.ts';
import { nowStamp } from './values.ts';

const BP_READ_ONLY = new Set(['CardCode', 'CurrentAccountBalance', 'OpenOrdersBalance', 'OpenDeliveryNotesBalance', 'CreateDate', 'CreateTime', 'UpdateDate', 'UpdateTime']);
const ITEM_READ_ONLY = new Set(['ItemCode', 'QuantityOnStock', 'QuantityOrderedFromVendors', 'QuantityOrderedByCustomers', 'CreateDate', 'CreateTime', 'UpdateDate', 'UpdateTime']);

function stamp(data: Obj): void {
  const { date, time } = nowStamp();
  data.CreateDate = date;
  data.CreateTime = time;
  data.UpdateDate = date;
  data.UpdateTime = time;
}

function fixAddresses(bp: Obj): void {
  const addrs = bp.BPAddresses as Obj[];
  const seen = new Set<string>();
  addrs.forEach((a, i) => {
    a.BPCode = bp.CardCode;
    if (typeof a.AddressName !== 'string' || a.AddressName === '') throw missingValue(`Address name is missing [BPAddresses.AddressName][line: ${i + 1}]`);
    const key = `${a.AddressType as string}|${a.AddressName}`;
    if (seen.has(key)) throw duplicateRow();
    seen.add(key);
  });
  let row = 0;
  for (const a of addrs) if (typeof a.RowNum !== 'number' || a.RowNum < row) a.RowNum = row++;
  else row = (a.RowNum as number) + 1;
  bp.ShipToDefault ??= addrs.find((a) => a.AddressType === 'bo_ShipTo')?.AddressName ?? null;
  bp.BilltoDefault ??= addrs.find((a) => a.AddressType === 'bo_BillTo')?.AddressName ?? null;
  for (const [i, c] of (bp.ContactEmployees as Obj[]).entries()) {
    c.CardCode = bp.CardCode;
    if (!c.InternalCode) c.InternalCode = i + 1;
  }
}

function checkReferences(store: Store, bp: Obj): void {
  if (bp.PayTermsGrpCode !== null && !store.get('PaymentTermsTypes', Number(bp.PayTermsGrpCode))) {
    throw ruleViolation(`Invalid payment terms code [OCRD.GroupNum] , '${String(bp.PayTermsGrpCode)}'`);
  }
  if (bp.PeymentMethodCode !== null && !store.get('WizardPaymentMethods', String(bp.PeymentMethodCode))) {
    throw ruleViolation(`Invalid payment method [OCRD.PymCode] , '${String(bp.PeymentMethodCode)}'`);
  }
}

export function createMasterData(store: Store, set: EntitySet, rawBody: unknown): Row {
  const body = asObject(rawBody, set.name);
  if (set.name === 'BusinessPartners') {
    const bp = fromTemplate(businessPartnerTemplate(), body, 'BusinessPartner');
    if (typeof bp.CardCode !== 'string' || bp.CardCode === '') throw missingValue('Enter a business partner code [OCRD.CardCode]');
    if (set.rows.has(bp.CardCode)) {
      throw ruleViolation(`1320000140 - Business partner code '${bp.CardCode}' already assigned to a business partner; enter a unique business partner code`);
    }
    // Balances are computed by B1, never taken from the body.
    bp.CurrentAccountBalance = 0;
    bp.OpenOrdersBalance = 0;
    bp.OpenDeliveryNotesBalance = 0;
    fixAddresses(bp);
    checkReferences(store, bp);
    stamp(bp);
    return store.put(set, bp);
  }
  if (set.name === 'Items') {
    const item = fromTemplate(itemTemplate(), body, 'Item');
    if (typeof item.ItemCode !== 'string' || item.ItemCode === '') throw missingValue('Item number is missing; specify an item number [OITM.ItemCode]');
    if (set.rows.has(item.ItemCode)) throw ruleViolation(`Item code '${item.ItemCode}' already exists`);
    const given = item.ItemWarehouseInfoCollection as Obj[];
    item.ItemWarehouseInfoCollection = [...store.set('Warehouses')!.rows.keys()].map((wh) => ({
      ...warehouseInfoTemplate(),
      ...given.find((g) => g.WarehouseCode === wh),
      InStock: 0,
      Committed: 0,
      Ordered: 0,
      WarehouseCode: wh,
      ItemCode: item.ItemCode,
    }));
    item.QuantityOnStock = 0;
    stamp(item);
    return store.put(set, item);
  }
  throw notSupported();
}

export function patchMasterData(store: Store, set: EntitySet, row: Row, rawBody: unknown, replace: boolean): void {
  const patch = asObject(rawBody, set.name);
  const next = structuredClone(row.data);
  if (set.name === 'BusinessPartners') {
    mergePatch(next, patch, 'BusinessPartner', BP_READ_ONLY, replace);
    fixAddresses(next);
    checkReferences(store, next);
  } else if (set.name === 'Items') {
    mergePatch(next, patch, 'Item', ITEM_READ_ONLY, replace);
  } else {
    throw notSupported();
  }
  const before = store.indexedValues(set, row.data);
  row.data = next;
  touch(store, set.name, row, before);
}

export function deleteMasterData(store: Store, set: EntitySet, key: string | number): void {
  if (set.name !== 'BusinessPartners' && set.name !== 'Items') throw notSupported();
  if (set.name === 'BusinessPartners') {
    for (const docs of ['Orders', 'DeliveryNotes', 'Invoices', 'Returns', 'CreditNotes']) {
      for (const r of store.set(docs)!.rows.values()) {
        if (r.data.CardCode === key) throw new SapFault(400, -10, `Business partner '${String(key)}' has documents and cannot be removed`);
      }
    }
  }
  store.remove(set, key);
}
