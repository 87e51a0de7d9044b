/** Seeds the emulator: `demo` from the shared demo company, `empty` with only the reference data SAP always has. */
import { demoCompany } from '../demo-catalogue.ts';
import { addressTemplate, businessPartnerTemplate, contactTemplate, itemTemplate, warehouseInfoTemplate } from './schema.ts';
import type { Store } from './store.ts';
import { nowStamp } from './values.ts';

function put(store: Store, set: string, data: Record<string, unknown>): void {
  const s = store.set(set);
  if (s) store.put(s, data);
}

export function seed(store: Store, kind: 'demo' | 'empty'): void {
  store.clear();
  const company = demoCompany();
  const { date, time } = nowStamp();
  // Reference data (warehouses, tax codes, terms, payment methods) exists in every company.
  for (const w of company.warehouses) put(store, 'Warehouses', { WarehouseCode: w.code, WarehouseName: w.name, Inactive: 'tNO' });
  for (const t of company.taxCodes) {
    put(store, 'VatGroups', { Code: t.code, Name: t.name, Category: 'bovcOutputTax', Inactive: 'tNO', VatGroups_Lines: [{ Effectivefrom: '2000-01-01', Rate: Number(t.rate) }] });
  }
  for (const p of company.paymentTerms) put(store, 'PaymentTermsTypes', { GroupNumber: p.groupNumber, PaymentTermsGroupName: p.name, NumberOfAdditionalDays: p.days });
  for (const m of company.paymentMethods) put(store, 'WizardPaymentMethods', { PaymentMethodCode: m.code, Description: m.name, Type: 'boptIncoming', Active: 'tYES' });
  if (kind === 'empty') return;

  for (const it of company.items) {
    const wh = company.warehouses.map((w) => ({
      ...warehouseInfoTemplate(),
      WarehouseCode: w.code,
      InStock: it.stock[w.code] ?? 0,
      MinimalStock: it.minimum[w.code] ?? 0,
      ItemCode: it.code,
    }));
    put(store, 'Items', {
      ...itemTemplate(),
      ItemCode: it.code,
      ItemName: it.name,
      SalesVATGroup: it.taxCode,
      SalesUnitWeight: Number(it.weightKg),
      QuantityOnStock: wh.reduce((s, w) => s + w.InStock, 0),
      ItemPrices: [{ PriceList: 1, Price: Number(it.price), Currency: 'EUR' }],
      ItemWarehouseInfoCollection: wh,
      CreateDate: date,
      CreateTime: time,
      UpdateDate: date,
      UpdateTime: time,
    });
  }
  for (const c of company.customers) {
    const addr = (type: 'bo_BillTo' | 'bo_ShipTo', name: string, row: number) => ({
      ...addressTemplate(),
      AddressName: name,
      AddressType: type,
      Street: c.address1,
      ZipCode: c.postcode,
      City: c.city,
      Country: c.countryIso,
      BPCode: c.cardCode,
      RowNum: row,
    });
    put(store, 'BusinessPartners', {
      ...businessPartnerTemplate(),
      CardCode: c.cardCode,
      CardName: c.company,
      EmailAddress: c.email,
      FederalTaxID: c.vatNumber,
      CreditLimit: Number(c.creditLimit),
      MaxCommitment: Number(c.creditLimit),
      CurrentAccountBalance: Number(c.currentBalance),
      OpenOrdersBalance: Number(c.openOrdersBalance),
      PeymentMethodCode: c.paymentMethod,
      PayTermsGrpCode: 1,
      Valid: c.frozen ? 'tNO' : 'tYES',
      Frozen: c.frozen ? 'tYES' : 'tNO',
      ShipToDefault: 'SHIP',
      BilltoDefault: 'BILL',
      BPAddresses: [addr('bo_BillTo', 'BILL', 0), addr('bo_ShipTo', 'SHIP', 1)],
      ContactEmployees: [{ ...contactTemplate(), Name: `${c.firstname} ${c.lastname}`, FirstName: c.firstname, LastName: c.lastname, E_Mail: c.email, InternalCode: 1, CardCode: c.cardCode }],
      CreateDate: date,
      CreateTime: time,
      UpdateDate: date,
      UpdateTime: time,
    });
  }
}
