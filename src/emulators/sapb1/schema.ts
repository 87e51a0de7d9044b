/**
 * The entity sets the emulator serves, with the default value of every property it knows (from the
 * spec's field lists, §5). A body may only set known properties or `U_` user fields, as in a real SL.
 */
import { Store } from './store.ts';
import type { Obj } from './types.ts';

export interface DocKind {
  set: string;
  objType: number;
  /** The header table, used in messages like `Invalid BP code [ORDR.CardCode]`. */
  table: string;
  objectCode: string;
  /** Whether the document needs a business partner. */
  needsCard: boolean;
  /** How posting the document moves stock: `out` lowers InStock, `in` raises it, `commit` raises Committed. */
  stock: 'commit' | 'out' | 'in' | 'none';
  /** Object types this document may be copied from (BaseType); standard B1 copy-from (spec §6). */
  bases: number[];
  taxed: boolean;
  /** Effect on the customer's account balance (invoices raise it, credit notes lower it). */
  balance: 1 | -1 | 0;
  /** Whether Close/Cancel/Reopen are supported here. */
  closable: boolean;
}

export const DOC_KINDS: DocKind[] = [
  { set: 'Orders', objType: 17, table: 'ORDR', objectCode: 'oOrders', needsCard: true, stock: 'commit', bases: [], taxed: true, balance: 0, closable: true },
  { set: 'DeliveryNotes', objType: 15, table: 'ODLN', objectCode: 'oDeliveryNotes', needsCard: true, stock: 'out', bases: [17], taxed: true, balance: 0, closable: true },
  { set: 'Invoices', objType: 13, table: 'OINV', objectCode: 'oInvoices', needsCard: true, stock: 'out', bases: [15, 17], taxed: true, balance: 1, closable: false },
  { set: 'Returns', objType: 16, table: 'ORDN', objectCode: 'oReturns', needsCard: true, stock: 'in', bases: [15], taxed: true, balance: 0, closable: true },
  { set: 'CreditNotes', objType: 14, table: 'ORIN', objectCode: 'oCreditNotes', needsCard: true, stock: 'in', bases: [16, 13], taxed: true, balance: -1, closable: false },
  { set: 'PurchaseRequests', objType: 1470000113, table: 'OPRQ', objectCode: 'oPurchaseRequest', needsCard: false, stock: 'none', bases: [], taxed: false, balance: 0, closable: true },
  { set: 'InventoryGenEntries', objType: 59, table: 'OIGN', objectCode: 'oInventoryGenEntry', needsCard: false, stock: 'in', bases: [], taxed: false, balance: 0, closable: false },
  { set: 'InventoryGenExits', objType: 60, table: 'OIGE', objectCode: 'oInventoryGenExit', needsCard: false, stock: 'out', bases: [], taxed: false, balance: 0, closable: false },
];

export const DOC_BY_SET = new Map(DOC_KINDS.map((k) => [k.set, k]));
export const DOC_BY_TYPE = new Map(DOC_KINDS.map((k) => [k.objType, k]));

export function documentTemplate(): Obj {
  return {
    DocEntry: 0, DocNum: 0, DocType: 'dDocument_Items', DocObjectCode: '', DocDate: null, DocDueDate: null, TaxDate: null,
    CardCode: null, CardName: null, NumAtCard: null, DocTotal: 0, VatSum: 0, DiscountPercent: 0, TotalDiscount: 0,
    DocCurrency: 'EUR', DocRate: 1, Comments: null, JournalMemo: null, PaymentGroupCode: -1, PaymentMethod: null,
    SalesPersonCode: -1, ContactPersonCode: null, ShipToCode: null, PayToCode: null, Address: null, Address2: null,
    AddressExtension: null, DocumentStatus: 'bost_Open', Cancelled: 'tNO', CancelStatus: 'csNo', AuthorizationStatus: 'dasWithout',
    ClosingDate: null, CancelDate: null, Series: 1, TrackingNumber: null, TransportationCode: null, CreationDate: null, UpdateDate: null, UpdateTime: null,
    DocTime: null, RequriedDate: null, Requester: null, ReqType: 12,
    DocumentLines: [], DocumentAdditionalExpenses: [], Document_ApprovalRequests: [],
  };
}

export function lineTemplate(): Obj {
  return {
    LineNum: 0, ItemCode: null, ItemDescription: null, Quantity: 0, Price: 0, UnitPrice: 0, PriceAfterVAT: 0, DiscountPercent: 0,
    Currency: 'EUR', LineTotal: 0, TaxCode: null, VatGroup: null, TaxTotal: 0, WarehouseCode: null, ShipDate: null,
    BaseType: -1, BaseEntry: null, BaseLine: null, BaseOpenQuantity: 0, LineStatus: 'bost_Open', RemainingOpenQuantity: 0,
    OpenAmount: 0, LineType: 'dlt_Regular', UoMCode: 'Manual', InventoryQuantity: 0, AccountCode: null, CostingCode: null,
    ProjectCode: null, FreeText: null, RequiredDate: null, LineVendor: null, BatchNumbers: [], SerialNumbers: [],
  };
}

export function expenseTemplate(): Obj {
  return { LineNum: 0, ExpenseCode: 1, LineTotal: 0, TaxCode: null, VatGroup: null, TaxSum: 0, Remarks: null };
}

export function businessPartnerTemplate(): Obj {
  return {
    CardCode: null, CardName: null, CardType: 'cCustomer', GroupCode: 100, EmailAddress: null, Phone1: null, Cellular: null,
    FederalTaxID: null, Currency: 'EUR', CreditLimit: 0, MaxCommitment: 0, CurrentAccountBalance: 0, OpenOrdersBalance: 0,
    OpenDeliveryNotesBalance: 0, PayTermsGrpCode: -1, PeymentMethodCode: null, PriceListNum: 1, DiscountPercent: 0,
    Valid: 'tYES', Frozen: 'tNO', ValidFrom: null, ValidTo: null, FrozenFrom: null, FrozenTo: null, ShipToDefault: null,
    BilltoDefault: null, AliasName: null, Notes: null, CreateDate: null, CreateTime: null, UpdateDate: null, UpdateTime: null,
    BPAddresses: [], ContactEmployees: [],
  };
}

export function addressTemplate(): Obj {
  return {
    AddressName: null, AddressType: 'bo_ShipTo', Street: null, StreetNo: null, Block: null, ZipCode: null, City: null,
    County: null, State: null, Country: null, BuildingFloorRoom: null, AddressName2: null, AddressName3: null, BPCode: null, RowNum: 0,
  };
}

export function contactTemplate(): Obj {
  return { Name: null, FirstName: null, LastName: null, E_Mail: null, Phone1: null, MobilePhone: null, InternalCode: 0, CardCode: null };
}

export function itemTemplate(): Obj {
  return {
    ItemCode: null, ItemName: null, ForeignName: null, ItemsGroupCode: 100, BarCode: null, InventoryItem: 'tYES', SalesItem: 'tYES',
    PurchaseItem: 'tYES', Valid: 'tYES', Frozen: 'tNO', ManageStockByWarehouse: 'tYES', ManageBatchNumbers: 'tNO',
    ManageSerialNumbers: 'tNO', QuantityOnStock: 0, QuantityOrderedFromVendors: 0, QuantityOrderedByCustomers: 0,
    DefaultWarehouse: '01', SalesUnit: 'Unit', SalesVATGroup: null, SalesUnitWeight: 0, CreateDate: null, CreateTime: null,
    UpdateDate: null, UpdateTime: null, ItemPrices: [], ItemWarehouseInfoCollection: [],
  };
}

export function warehouseInfoTemplate(): Obj {
  return { WarehouseCode: null, InStock: 0, Committed: 0, Ordered: 0, MinimalStock: 0, MaximalStock: 0, MinimalOrder: 0, Locked: 'tNO', ItemCode: null };
}

/** Which template a collection property's members follow. */
export const COLLECTION_TEMPLATES: Record<string, () => Obj> = {
  DocumentLines: lineTemplate,
  DocumentAdditionalExpenses: expenseTemplate,
  BPAddresses: addressTemplate,
  ContactEmployees: contactTemplate,
  ItemWarehouseInfoCollection: warehouseInfoTemplate,
  ItemPrices: () => ({ PriceList: 1, Price: 0, Currency: 'EUR' }),
};

/** Creates every entity set of the emulator, empty. */
export function defineSchema(store: Store): void {
  const doc = Object.keys(documentTemplate());
  for (const k of DOC_KINDS) store.define(k.set, 'DocEntry', true, 'Document', doc, ['NumAtCard']);
  store.define('BusinessPartners', 'CardCode', false, 'BusinessPartner', Object.keys(businessPartnerTemplate()), ['EmailAddress']);
  store.define('Items', 'ItemCode', false, 'Item', Object.keys(itemTemplate()));
  store.define('Warehouses', 'WarehouseCode', false, 'Warehouse', ['WarehouseCode', 'WarehouseName', 'Inactive']);
  store.define('PaymentTermsTypes', 'GroupNumber', true, 'PaymentTermsType', ['GroupNumber', 'PaymentTermsGroupName', 'NumberOfAdditionalDays']);
  store.define('WizardPaymentMethods', 'PaymentMethodCode', false, 'WizardPaymentMethod', ['PaymentMethodCode', 'Description', 'Type', 'Active']);
  store.define('VatGroups', 'Code', false, 'VatGroup', ['Code', 'Name', 'Category', 'Inactive', 'VatGroups_Lines']);
}

/** Collection properties merged member by member on PATCH, and the fields that identify a member. */
export const MERGE_KEYS: Record<string, string[]> = {
  DocumentLines: ['LineNum'],
  DocumentAdditionalExpenses: ['LineNum'],
  ItemWarehouseInfoCollection: ['WarehouseCode'],
  ItemPrices: ['PriceList'],
  ContactEmployees: ['InternalCode'],
  // BPAddresses update in place only with BPCode + AddressName + AddressType + RowNum (spec §4).
  BPAddresses: ['BPCode', 'AddressName', 'AddressType', 'RowNum'],
};
