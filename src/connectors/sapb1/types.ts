/**
 * The sapb1 connector's public shapes: connection settings and the input/output of every action. SAP's own
 * field names are kept (a flow's mapping speaks SAP); amounts leave the connector as decimal strings.
 */

export type SapVersion = 'v1' | 'v2';

export interface SapB1Settings {
  /** `https://host:50000/b1s/v1` (or `/b1s/v2`, or just `https://host:50000`; then `version` decides). */
  baseUrl: string;
  companyDb: string;
  username: string;
  password: string;
  /** OData v3 (`v1`, every SL release) or v4 (`v2`, primary since FP 2405). Default: the URL's, else `v1`. */
  version?: SapVersion;
  /** Requests in flight at once on this connection (SL sessions are expensive). Default 8. */
  concurrency?: number;
  timeoutMs?: number;
  /** The BP property that holds the shop's customer id, searched by `findCustomer({xref})`. Default `U_OF_XREF`. */
  xrefField?: string;
  /** Credit and stock reads made at the same moment share one call (inventory.ts). Default true. */
  shareReads?: boolean;
}

/** The marketing documents the connector reads and writes. */
export type DocumentEntity = 'Orders' | 'DeliveryNotes' | 'Invoices' | 'Returns' | 'CreditNotes' | 'PurchaseRequests';
export const DOCUMENT_ENTITIES: readonly DocumentEntity[] = ['Orders', 'DeliveryNotes', 'Invoices', 'Returns', 'CreditNotes', 'PurchaseRequests'];

export type UserFields = { [udf: `U_${string}`]: unknown };

export interface SapAddress {
  AddressName: string;
  AddressType: 'bo_BillTo' | 'bo_ShipTo' | 'B' | 'S';
  Street?: string | null;
  StreetNo?: string | null;
  Block?: string | null;
  ZipCode?: string | null;
  City?: string | null;
  County?: string | null;
  State?: string | null;
  Country?: string | null;
  BuildingFloorRoom?: string | null;
  RowNum?: number;
  BPCode?: string;
}

export interface SapContact {
  Name: string;
  FirstName?: string | null;
  LastName?: string | null;
  E_Mail?: string | null;
  Phone1?: string | null;
  MobilePhone?: string | null;
}

/** A business partner as the connector returns it. Amounts are decimal strings. */
export interface BusinessPartner extends UserFields {
  CardCode: string;
  CardName: string | null;
  CardType: string;
  EmailAddress: string | null;
  FederalTaxID: string | null;
  Phone1: string | null;
  Currency: string | null;
  CreditLimit: string;
  CurrentAccountBalance: string;
  OpenOrdersBalance: string;
  PayTermsGrpCode: number | null;
  PeymentMethodCode: string | null;
  Frozen: boolean;
  ShipToDefault: string | null;
  BilltoDefault: string | null;
  BPAddresses: SapAddress[];
}

export interface FindCustomerInput {
  cardCode?: string;
  email?: string;
  /** The shop's id for the customer, stored in the BP property named by the `xrefField` setting. */
  xref?: string;
}

export interface CreateCustomerInput extends UserFields {
  CardCode: string;
  CardName: string;
  CardType?: 'cCustomer' | 'C';
  EmailAddress: string;
  FederalTaxID?: string | null;
  Phone1?: string | null;
  Cellular?: string | null;
  Currency?: string;
  GroupCode?: number;
  PayTermsGrpCode?: number;
  PeymentMethodCode?: string;
  PriceListNum?: number;
  /** At least one bill-to and one ship-to address. */
  BPAddresses: SapAddress[];
  ContactEmployees?: SapContact[];
  /** The shop's id for the customer; written to the `xrefField` property and used by reconcile. */
  xref?: string;
}

export interface ItemsStockInput {
  itemCodes: string[];
  warehouse: string;
}

export interface ItemStock {
  ItemCode: string;
  WarehouseCode: string;
  InStock: string;
  Committed: string;
  Ordered: string;
  MinimalStock: string;
  /** InStock − Committed, the B1 convention. */
  Available: string;
}

export interface ItemsStockOutput {
  items: ItemStock[];
  /** Codes SAP does not know, or that have no row for the warehouse. */
  missing: string[];
}

export interface CreditPositionInput {
  cardCode: string;
}

export interface CreditPosition {
  CardCode: string;
  CreditLimit: string;
  CurrentAccountBalance: string;
  OpenOrdersBalance: string;
  /** CreditLimit − CurrentAccountBalance − OpenOrdersBalance. */
  Available: string;
  Frozen: boolean;
}

export interface DocumentLineInput extends UserFields {
  ItemCode?: string;
  ItemDescription?: string;
  Quantity?: number | string;
  UnitPrice?: number | string;
  Price?: number | string;
  DiscountPercent?: number | string;
  TaxCode?: string;
  WarehouseCode?: string;
  ShipDate?: string;
  BaseType?: number;
  BaseEntry?: number;
  BaseLine?: number;
  FreeText?: string;
  RequiredDate?: string;
  LineVendor?: string;
}

export interface DocumentExpenseInput {
  ExpenseCode: number;
  LineTotal: number | string;
  TaxCode?: string;
}

export interface DocumentInput extends UserFields {
  CardCode?: string;
  DocDate?: string;
  DocDueDate?: string;
  TaxDate?: string;
  /** The customer's reference: the shop order number. The reconcile probe finds a document by it. */
  NumAtCard?: string;
  Comments?: string;
  PaymentGroupCode?: number;
  PaymentMethod?: string;
  ShipToCode?: string;
  PayToCode?: string;
  DiscountPercent?: number | string;
  DocCurrency?: string;
  TrackingNumber?: string;
  RequriedDate?: string;
  DocumentLines: DocumentLineInput[];
  DocumentAdditionalExpenses?: DocumentExpenseInput[];
}

export interface CreatedDocument {
  entity: DocumentEntity;
  DocEntry: number;
  DocNum: number;
  DocTotal: string;
  VatSum: string;
  DocumentStatus: string;
  CardCode: string | null;
  NumAtCard: string | null;
  /** True when reconcile found the document an earlier attempt had created. */
  adopted?: boolean;
}

export interface DocumentLine {
  LineNum: number;
  ItemCode: string;
  ItemDescription: string | null;
  Quantity: string;
  Price: string;
  UnitPrice: string;
  LineTotal: string;
  TaxCode: string | null;
  TaxTotal: string;
  WarehouseCode: string | null;
  LineStatus: string;
  RemainingOpenQuantity: string;
  BaseType: number;
  BaseEntry: number | null;
  BaseLine: number | null;
  [field: string]: unknown;
}

/** A document read back with its lines. Amounts and quantities are decimal strings. */
export interface SapDocument {
  entity: DocumentEntity;
  DocEntry: number;
  DocNum: number;
  CardCode: string | null;
  CardName: string | null;
  NumAtCard: string | null;
  DocDate: string | null;
  DocDueDate: string | null;
  DocTotal: string;
  VatSum: string;
  DocCurrency: string | null;
  DocumentStatus: string;
  Cancelled: boolean;
  TrackingNumber: string | null;
  UpdateDate: string | null;
  UpdateTime: string | null;
  DocumentLines: DocumentLine[];
  /** Every other property SAP sent, untouched. */
  raw: Record<string, unknown>;
  /** For a following PATCH with If-Match. */
  etag?: string | undefined;
}

export interface GetDocumentInput {
  entity: DocumentEntity;
  docEntry: number;
}

export interface ListChangedInput {
  entity: DocumentEntity;
  cursor: string | null;
  /** Seconds re-read before the cursor (default 5). */
  overlapSeconds?: number;
  /** `YYYY-MM-DD[THH:MM:SS]`: where to start when the cursor is null (default: everything). */
  since?: string;
}

export interface ChangedDocument {
  DocEntry: number;
  DocNum: number;
  /** `YYYY-MM-DDTHH:MM:SS` from UpdateDate + UpdateTime: the document's version. */
  changedAt: string;
  created: boolean;
  document: SapDocument;
}

export interface ListChangedOutput {
  documents: ChangedDocument[];
  cursor: string;
}

export interface DocumentRefInput {
  docEntry: number;
}

export interface DocumentStatusOutput {
  DocEntry: number;
  DocumentStatus: string;
  Cancelled: boolean;
}

export interface UpdateDocumentInput {
  entity: DocumentEntity;
  docEntry: number;
  changes: Record<string, unknown>;
  /** The ETag read with the document; without it the document is read first. */
  etag?: string;
}
