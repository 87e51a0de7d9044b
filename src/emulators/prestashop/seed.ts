/**
 * What every emulated shop starts with (languages, the 13 default order states, currencies, countries,
 * carriers) and, with `--seed demo`, the demo company's catalogue and customers so that product references
 * equal the ERP's item codes and customer emails equal the ERP's business partners.
 */
import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { demoCompany } from '../demo-catalogue.ts';
import type { ShopState, Value } from './state.ts';

/** The installer's default order states, in insertion order (store-platforms.md §1.8). */
const ORDER_STATES: Array<{ en: string; es: string; tpl: string; logable: number; paid: number; shipped: number; invoice: number; delivery: number; email: number; module: string; color: string }> = [
  { en: 'Awaiting check payment', es: 'En espera de pago por cheque', tpl: 'cheque', logable: 0, paid: 0, shipped: 0, invoice: 0, delivery: 0, email: 1, module: 'ps_checkpayment', color: '#34209E' },
  { en: 'Payment accepted', es: 'Pago aceptado', tpl: 'payment', logable: 1, paid: 1, shipped: 0, invoice: 1, delivery: 0, email: 1, module: '', color: '#3498D8' },
  { en: 'Processing in progress', es: 'Preparación en curso', tpl: 'preparation', logable: 1, paid: 1, shipped: 0, invoice: 1, delivery: 1, email: 1, module: '', color: '#3498D8' },
  { en: 'Shipped', es: 'Enviado', tpl: 'shipped', logable: 1, paid: 1, shipped: 1, invoice: 1, delivery: 1, email: 1, module: '', color: '#01B887' },
  { en: 'Delivered', es: 'Entregado', tpl: '', logable: 1, paid: 1, shipped: 1, invoice: 1, delivery: 1, email: 0, module: '', color: '#01B887' },
  { en: 'Canceled', es: 'Cancelado', tpl: 'order_canceled', logable: 0, paid: 0, shipped: 0, invoice: 0, delivery: 0, email: 1, module: '', color: '#2C3E50' },
  { en: 'Refunded', es: 'Reembolsado', tpl: 'refund', logable: 0, paid: 0, shipped: 0, invoice: 1, delivery: 0, email: 1, module: '', color: '#ED4F4F' },
  { en: 'Payment error', es: 'Error en pago', tpl: 'payment_error', logable: 0, paid: 0, shipped: 0, invoice: 0, delivery: 0, email: 1, module: '', color: '#E74C3C' },
  { en: 'On backorder (paid)', es: 'Pedido pendiente por falta de stock (pagado)', tpl: 'outofstock', logable: 0, paid: 1, shipped: 0, invoice: 1, delivery: 0, email: 1, module: '', color: '#3498D8' },
  { en: 'Awaiting bank wire payment', es: 'En espera de pago por transferencia bancaria', tpl: 'bankwire', logable: 0, paid: 0, shipped: 0, invoice: 0, delivery: 0, email: 1, module: 'ps_wirepayment', color: '#34209E' },
  { en: 'Remote payment accepted', es: 'Pago remoto aceptado', tpl: 'payment', logable: 1, paid: 1, shipped: 0, invoice: 1, delivery: 0, email: 1, module: '', color: '#3498D8' },
  { en: 'On backorder (not paid)', es: 'Pedido pendiente por falta de stock (no pagado)', tpl: 'outofstock', logable: 0, paid: 0, shipped: 0, invoice: 0, delivery: 0, email: 1, module: '', color: '#34209E' },
  { en: 'Awaiting Cash On Delivery validation', es: 'En espera de validación por contra reembolso', tpl: 'cashondelivery', logable: 0, paid: 0, shipped: 0, invoice: 0, delivery: 0, email: 0, module: 'ps_cashondelivery', color: '#34209E' },
];

/** PrestaShop's country ids follow the installer's list; the first 21 are enough here. */
const COUNTRIES = ['DE', 'AT', 'BE', 'CA', 'CN', 'ES', 'FI', 'FR', 'GR', 'IT', 'JP', 'LU', 'NL', 'PL', 'PT', 'CZ', 'GB', 'SE', 'CH', 'DK', 'US'];

/** Tax rules groups of the emulated shop and their rates (id_tax_rules_group → percent). */
export const TAX_RULES: Record<string, string> = { '0': '0', '1': '21', '2': '10' };

/** The flat shipping price of carrier 2, tax excluded, and its tax rate. */
export const SHIPPING = { carrierId: 2, costTaxExcl: '4.50', taxRate: '21' };

export const six = (v: Decimal | string | number): string => (v instanceof Decimal ? v : new Decimal(v)).toFixed(6);

function ml(state: ShopState, en: string, es = en): Value {
  return state.languages.length > 1 ? { '1': en, '2': es } : { '1': en };
}

export function seedBase(state: ShopState, languages: 1 | 2): void {
  state.languages = languages === 2 ? ['1', '2'] : ['1'];
  state.insert('languages', { name: 'English (English)', iso_code: 'en', locale: 'en-US', language_code: 'en-us', active: '1', is_rtl: '0', date_format_lite: 'm/d/Y', date_format_full: 'm/d/Y H:i:s' });
  if (languages === 2) state.insert('languages', { name: 'Español (Spanish)', iso_code: 'es', locale: 'es-ES', language_code: 'es-es', active: '1', is_rtl: '0', date_format_lite: 'd/m/Y', date_format_full: 'd/m/Y H:i:s' });
  for (const s of ORDER_STATES) {
    state.insert('order_states', {
      unremovable: '1', delivery: String(s.delivery), hidden: '0', send_email: String(s.email), module_name: s.module, invoice: String(s.invoice),
      color: s.color, logable: String(s.logable), shipped: String(s.shipped), paid: String(s.paid), pdf_delivery: String(s.shipped),
      pdf_invoice: String(s.invoice), deleted: '0', name: ml(state, s.en, s.es), template: ml(state, s.tpl),
    });
  }
  state.insert('currencies', { names: ml(state, 'Euro'), name: 'Euro', symbol: ml(state, '€'), iso_code: 'EUR', numeric_iso_code: '978', precision: '2', conversion_rate: '1.000000', deleted: '0', active: '1' });
  state.insert('currencies', { names: ml(state, 'US Dollar', 'Dólar estadounidense'), name: 'US Dollar', symbol: ml(state, '$'), iso_code: 'USD', numeric_iso_code: '840', precision: '2', conversion_rate: '1.080000', deleted: '0', active: '1' });
  for (const iso of COUNTRIES) {
    state.insert('countries', { id_zone: '1', id_currency: '0', call_prefix: '0', iso_code: iso, active: '1', contains_states: '0', need_identification_number: '0', need_zip_code: '1', zip_code_format: '', display_tax_label: '1', name: ml(state, iso) });
  }
  state.insert('carriers', { deleted: '0', is_module: '0', id_tax_rules_group: '0', id_reference: '1', name: 'Click and collect', active: '1', is_free: '1', url: '', shipping_method: '1', max_weight: '0', grade: '0', delay: ml(state, 'Pick up in-store') });
  state.insert('carriers', { deleted: '0', is_module: '0', id_tax_rules_group: '1', id_reference: '2', name: 'My carrier', active: '1', is_free: '0', url: 'https://track.example.com/@', shipping_method: '2', max_weight: '0', grade: '0', delay: ml(state, 'Delivery next day!') });
}

export function countryId(state: ShopState, iso: string): number | undefined {
  return state.find('countries', 'iso_code', iso.toUpperCase())?.id;
}

/** A deterministic 32-hex secure key. */
export function secureKey(seed: string): string {
  return createHash('md5').update(seed).digest('hex');
}

export function addProduct(state: ShopState, p: { reference: string; name: string; price: string; vatRate: string; weight: string; quantity: number }): number {
  const now = state.now();
  const taxGroup = Object.entries(TAX_RULES).find(([, rate]) => rate === p.vatRate)?.[0] ?? '1';
  const product = state.insert('products', {
    id_category_default: '2', id_tax_rules_group: taxGroup, type: 'simple', id_shop_default: '1', reference: p.reference, weight: p.weight,
    price: six(p.price), wholesale_price: '0.000000', active: '1', available_for_order: '1', show_price: '1', visibility: 'both', condition: 'new',
    minimal_quantity: '1', state: '1', date_add: now, date_upd: now, name: ml(state, p.name), link_rewrite: ml(state, p.reference.toLowerCase()),
    quantity: String(p.quantity), manufacturer_name: '', is_virtual: '0', cache_is_pack: '0', out_of_stock: '2',
  });
  addStockRow(state, product.id, 0, p.quantity);
  return product.id;
}

export function addStockRow(state: ShopState, productId: number, attributeId: number, quantity: number): void {
  state.insert('stock_availables', { id_product: String(productId), id_product_attribute: String(attributeId), id_shop: '1', id_shop_group: '0', quantity: String(quantity), depends_on_stock: '0', out_of_stock: '2', location: '' });
}

export function addCustomer(state: ShopState, c: { email: string; firstname: string; lastname: string; company?: string; siret?: string; langId?: string }): number {
  const now = state.now();
  return state.insert(
    'customers',
    {
      id_default_group: '3', id_lang: c.langId ?? '1', secure_key: secureKey(c.email), deleted: '0', passwd: secureKey(`pw:${c.email}`), lastname: c.lastname,
      firstname: c.firstname, email: c.email, id_gender: '0', birthday: '0000-00-00', newsletter: '0', optin: '0', company: c.company ?? '',
      siret: c.siret ?? '', ape: '', outstanding_allow_amount: '0.000000', show_public_prices: '0', id_risk: '0', max_payment_days: '0', active: '1',
      note: '', is_guest: '0', id_shop: '1', id_shop_group: '1', date_add: now, date_upd: now, last_passwd_gen: now,
    },
    { groups: [{ id: '3' }] },
  ).id;
}

export function addAddress(state: ShopState, a: { id_customer: number; id_country: number; firstname: string; lastname: string; company?: string; vat_number?: string; address1: string; postcode: string; city: string }): number {
  const now = state.now();
  return state.insert('addresses', {
    id_customer: String(a.id_customer), id_manufacturer: '0', id_supplier: '0', id_warehouse: '0', id_country: String(a.id_country), id_state: '0',
    alias: 'My address', company: a.company ?? '', lastname: a.lastname, firstname: a.firstname, vat_number: a.vat_number ?? '', address1: a.address1,
    address2: '', postcode: a.postcode, city: a.city, other: '', phone: '', phone_mobile: '', dni: '', deleted: '0', date_add: now, date_upd: now,
  }).id;
}

export function seedDemo(state: ShopState): void {
  const company = demoCompany();
  for (const item of company.items) {
    addProduct(state, { reference: item.code, name: item.name, price: item.price, vatRate: item.vatRate, weight: item.weightKg, quantity: item.stock['01'] ?? 0 });
  }
  for (const c of company.customers) {
    const id = addCustomer(state, { email: c.email, firstname: c.firstname, lastname: c.lastname, company: c.company, siret: c.vatNumber, langId: c.language === 'es' ? '2' : '1' });
    addAddress(state, { id_customer: id, id_country: countryId(state, c.countryIso) ?? 6, firstname: c.firstname, lastname: c.lastname, company: c.company, vat_number: c.vatNumber, address1: c.address1, postcode: c.postcode, city: c.city });
  }
}
