/**
 * The emulated Webservice resources: their fields (8.x blank schemas, store-platforms.md §1.7), which are
 * required, which cannot be written (`setter: false` in PrestaShop, answered with code 93), which are
 * multilingual, which link to another resource (xlink), and which methods the resource allows.
 */

export interface FieldDef {
  required?: boolean;
  /** PrestaShop's `setter => false`: present in a write body → 400, code 93. */
  readOnly?: boolean;
  lang?: boolean;
  xlink?: string;
  format?: string;
  maxSize?: number;
}

export interface AssociationDef {
  nodeType: string;
  /** The linked resource (xlinks on each entry's id), if any. */
  resource?: string;
  virtualEntity?: boolean;
  fields: string[];
}

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResourceDef {
  name: string;
  singular: string;
  fields: Record<string, FieldDef>;
  associations?: Record<string, AssociationDef>;
  /** Methods the resource itself refuses (405, code 101). */
  forbidden?: Method[];
}

const req: FieldDef = { required: true };
const ro: FieldDef = { readOnly: true };
const date: FieldDef = { format: 'isDate' };
const price: FieldDef = { format: 'isPrice' };
const link = (resource: string, required = false): FieldDef => ({ xlink: resource, required, format: 'isUnsignedId' });
const lang = (required = false): FieldDef => ({ lang: true, required, format: 'isGenericName' });
const plain = (...names: string[]): Record<string, FieldDef> => Object.fromEntries(names.map((n) => [n, {}]));

/** The fields of an order row (the orders' read-only association): `id`, then the order detail's fields. */
export const ORDER_ROW_FIELDS = ['id', 'product_id', 'product_attribute_id', 'product_quantity', 'product_name', 'product_reference', 'product_ean13', 'product_isbn', 'product_upc', 'product_price', 'id_customization', 'unit_price_tax_incl', 'unit_price_tax_excl'];

const defs: ResourceDef[] = [
  {
    name: 'orders',
    singular: 'order',
    fields: {
      id_address_delivery: link('addresses', true),
      id_address_invoice: link('addresses', true),
      id_cart: link('carts', true),
      id_currency: link('currencies', true),
      id_lang: link('languages', true),
      id_customer: link('customers', true),
      id_carrier: link('carriers', true),
      current_state: link('order_states'),
      module: { required: true, format: 'isModuleName' },
      invoice_number: {}, invoice_date: date, delivery_number: {}, delivery_date: date,
      valid: {}, date_add: date, date_upd: date, shipping_number: {}, note: {},
      id_shop_group: {}, id_shop: {}, secure_key: {},
      payment: { required: true, format: 'isGenericName' },
      recyclable: {}, gift: {}, gift_message: {}, mobile_theme: {},
      total_discounts: price, total_discounts_tax_incl: price, total_discounts_tax_excl: price,
      total_paid: { required: true, format: 'isPrice' }, total_paid_tax_incl: price, total_paid_tax_excl: price,
      total_paid_real: { required: true, format: 'isPrice' },
      total_products: { required: true, format: 'isPrice' }, total_products_wt: { required: true, format: 'isPrice' },
      total_shipping: price, total_shipping_tax_incl: price, total_shipping_tax_excl: price, carrier_tax_rate: {},
      total_wrapping: price, total_wrapping_tax_incl: price, total_wrapping_tax_excl: price,
      round_mode: {}, round_type: {}, conversion_rate: { required: true, format: 'isFloat' }, reference: {},
    },
    associations: { order_rows: { nodeType: 'order_row', virtualEntity: true, fields: ORDER_ROW_FIELDS } },
  },
  {
    name: 'order_details',
    singular: 'order_detail',
    fields: {
      id_order: link('orders', true), product_id: link('products'), product_attribute_id: {}, product_quantity_reinjected: {},
      group_reduction: {}, discount_quantity_applied: {}, download_hash: {}, download_deadline: {}, id_order_invoice: link('order_invoices'),
      id_warehouse: {}, id_shop: {}, id_customization: {}, product_name: req, product_quantity: req, product_quantity_in_stock: {},
      product_quantity_return: {}, product_quantity_refunded: {}, product_price: req, reduction_percent: {}, reduction_amount: {},
      reduction_amount_tax_incl: {}, reduction_amount_tax_excl: {}, product_quantity_discount: {}, product_ean13: {}, product_isbn: {},
      product_upc: {}, product_reference: {}, product_supplier_reference: {}, product_weight: {}, tax_computation_method: {},
      id_tax_rules_group: {}, ecotax: {}, ecotax_tax_rate: {}, download_nb: {}, unit_price_tax_incl: {}, unit_price_tax_excl: {},
      total_price_tax_incl: {}, total_price_tax_excl: {}, total_shipping_price_tax_excl: {}, total_shipping_price_tax_incl: {},
      purchase_supplier_price: {}, original_product_price: {}, original_wholesale_price: {}, total_refunded_tax_excl: {}, total_refunded_tax_incl: {},
    },
    associations: { taxes: { nodeType: 'tax', resource: 'taxes', fields: ['id'] } },
  },
  {
    name: 'order_histories',
    singular: 'order_history',
    fields: { id_employee: link('employees'), id_order_state: link('order_states', true), id_order: link('orders', true), date_add: date },
  },
  {
    name: 'order_states',
    singular: 'order_state',
    fields: {
      unremovable: {}, delivery: {}, hidden: {}, send_email: {}, module_name: {}, invoice: {}, color: {}, logable: {}, shipped: {},
      paid: {}, pdf_delivery: {}, pdf_invoice: {}, deleted: {}, name: lang(true), template: lang(),
    },
  },
  {
    name: 'order_carriers',
    singular: 'order_carrier',
    fields: {
      id_order: link('orders', true), id_carrier: link('carriers', true), id_order_invoice: link('order_invoices'), weight: {},
      shipping_cost_tax_excl: {}, shipping_cost_tax_incl: {}, tracking_number: {}, date_add: date,
    },
  },
  {
    name: 'order_payments',
    singular: 'order_payment',
    fields: {
      order_reference: {}, id_currency: link('currencies', true), amount: { required: true, format: 'isNegativePrice' }, payment_method: {},
      conversion_rate: {}, transaction_id: {}, card_number: {}, card_brand: {}, card_expiration: {}, card_holder: {}, date_add: date,
    },
  },
  {
    name: 'order_invoices',
    singular: 'order_invoice',
    fields: {
      id_order: link('orders', true), number: req, delivery_number: {}, delivery_date: date, total_discount_tax_excl: {},
      total_discount_tax_incl: {}, total_paid_tax_excl: {}, total_paid_tax_incl: {}, total_products: {}, total_products_wt: {},
      total_shipping_tax_excl: {}, total_shipping_tax_incl: {}, shipping_tax_computation_method: {}, total_wrapping_tax_excl: {},
      total_wrapping_tax_incl: {}, shop_address: {}, note: {}, date_add: date,
    },
  },
  {
    name: 'order_slip',
    singular: 'order_slip',
    fields: {
      id_customer: link('customers', true), id_order: link('orders', true), conversion_rate: req, total_products_tax_excl: req,
      total_products_tax_incl: req, total_shipping_tax_excl: req, total_shipping_tax_incl: req, amount: {}, shipping_cost: {},
      shipping_cost_amount: {}, partial: {}, date_add: date, date_upd: date, order_slip_type: {},
    },
    associations: { order_slip_details: { nodeType: 'order_slip_detail', fields: ['id', 'id_order_detail', 'product_quantity', 'amount_tax_excl', 'amount_tax_incl'] } },
  },
  {
    name: 'customers',
    singular: 'customer',
    fields: {
      id_default_group: link('groups'), id_lang: link('languages'), newsletter_date_add: {}, ip_registration_newsletter: {},
      last_passwd_gen: {}, secure_key: {}, deleted: {}, passwd: req, lastname: req, firstname: req, email: req, id_gender: {},
      birthday: {}, newsletter: {}, optin: {}, website: {}, company: {}, siret: {}, ape: {}, outstanding_allow_amount: {},
      show_public_prices: {}, id_risk: {}, max_payment_days: {}, active: {}, note: {}, is_guest: {}, id_shop: {}, id_shop_group: {},
      date_add: date, date_upd: date, reset_password_token: {}, reset_password_validity: {},
    },
    associations: { groups: { nodeType: 'group', resource: 'groups', fields: ['id'] } },
  },
  {
    name: 'addresses',
    singular: 'address',
    fields: {
      id_customer: link('customers'), id_manufacturer: {}, id_supplier: {}, id_warehouse: {}, id_country: link('countries', true),
      id_state: link('states'), alias: req, company: {}, lastname: req, firstname: req, vat_number: {}, address1: req, address2: {},
      postcode: {}, city: req, other: {}, phone: {}, phone_mobile: {}, dni: {}, deleted: {}, date_add: date, date_upd: date,
    },
  },
  {
    name: 'products',
    singular: 'product',
    fields: {
      id_manufacturer: {}, id_supplier: {}, id_category_default: {}, new: {}, cache_default_attribute: {}, id_default_image: {},
      id_default_combination: {}, id_tax_rules_group: {}, position_in_category: {}, manufacturer_name: ro, quantity: ro, type: {},
      id_shop_default: {}, reference: {}, supplier_reference: {}, location: {}, width: {}, height: {}, depth: {}, weight: {},
      quantity_discount: {}, ean13: {}, isbn: {}, upc: {}, mpn: {}, cache_is_pack: {}, cache_has_attachments: {}, is_virtual: {},
      state: {}, additional_delivery_times: {}, on_sale: {}, online_only: {}, ecotax: {}, minimal_quantity: {}, low_stock_threshold: {},
      low_stock_alert: {}, price: req, wholesale_price: {}, unity: {}, unit_price_ratio: {}, additional_shipping_cost: {},
      customizable: {}, text_fields: {}, uploadable_files: {}, active: {}, redirect_type: {}, id_type_redirected: {}, available_for_order: {},
      available_date: {}, show_condition: {}, condition: {}, show_price: {}, indexed: {}, visibility: {}, advanced_stock_management: {},
      date_add: date, date_upd: date, pack_stock_type: {}, meta_description: lang(), meta_keywords: lang(), meta_title: lang(),
      link_rewrite: lang(), name: lang(true), description: lang(), description_short: lang(), available_now: lang(), available_later: lang(),
    },
    associations: {
      combinations: { nodeType: 'combination', resource: 'combinations', fields: ['id'] },
      stock_availables: { nodeType: 'stock_available', resource: 'stock_availables', fields: ['id', 'id_product_attribute'] },
    },
  },
  {
    name: 'combinations',
    singular: 'combination',
    fields: {
      id_product: link('products', true), location: {}, ean13: {}, isbn: {}, upc: {}, mpn: {}, quantity: ro, reference: {},
      supplier_reference: {}, wholesale_price: {}, price: {}, ecotax: {}, weight: {}, unit_price_impact: {}, minimal_quantity: req,
      low_stock_threshold: {}, low_stock_alert: {}, default_on: {}, available_date: {},
    },
  },
  {
    name: 'stock_availables',
    singular: 'stock_available',
    fields: {
      id_product: link('products', true), id_product_attribute: req, id_shop: link('shops'), id_shop_group: {}, quantity: req,
      depends_on_stock: req, out_of_stock: req, location: {},
    },
    forbidden: ['POST', 'DELETE'],
  },
  {
    name: 'customer_threads',
    singular: 'customer_thread',
    fields: {
      id_lang: link('languages', true), id_shop: link('shops'), id_customer: link('customers'), id_order: link('orders'),
      id_product: link('products'), id_contact: req, email: {}, token: req, status: {}, date_add: date, date_upd: date,
    },
    associations: { customer_messages: { nodeType: 'customer_message', resource: 'customer_messages', fields: ['id'] } },
  },
  {
    name: 'customer_messages',
    singular: 'customer_message',
    fields: {
      id_employee: link('employees'), id_customer_thread: link('customer_threads'), ip_address: {}, message: req, file_name: {},
      user_agent: {}, private: {}, date_add: date, date_upd: date, read: {},
    },
  },
  {
    name: 'currencies',
    singular: 'currency',
    fields: { names: lang(), name: req, symbol: lang(), iso_code: req, numeric_iso_code: {}, precision: {}, conversion_rate: req, deleted: {}, active: {} },
  },
  {
    name: 'countries',
    singular: 'country',
    fields: {
      id_zone: link('zones', true), id_currency: link('currencies'), call_prefix: {}, iso_code: req, active: {}, contains_states: req,
      need_identification_number: req, need_zip_code: {}, zip_code_format: {}, display_tax_label: req, name: lang(true),
    },
  },
  { name: 'carriers', singular: 'carrier', fields: { deleted: {}, is_module: {}, id_tax_rules_group: {}, id_reference: {}, name: req, active: req, is_free: {}, url: {}, shipping_method: {}, max_weight: {}, grade: {}, delay: lang(true) } },
  { name: 'languages', singular: 'language', fields: plain('name', 'iso_code', 'locale', 'language_code', 'active', 'is_rtl', 'date_format_lite', 'date_format_full') },
  { name: 'carts', singular: 'cart', fields: { id_address_delivery: link('addresses'), id_address_invoice: link('addresses'), id_currency: link('currencies', true), id_customer: link('customers'), id_guest: {}, id_lang: link('languages', true), id_shop_group: {}, id_shop: {}, id_carrier: link('carriers'), recyclable: {}, gift: {}, gift_message: {}, mobile_theme: {}, delivery_option: {}, secure_key: {}, allow_seperated_package: {}, date_add: date, date_upd: date } },
];

export const RESOURCES: ReadonlyMap<string, ResourceDef> = new Map(defs.map((d) => [d.name, d]));

/** Fields a filter or sort on which needs `date=1`. */
export const DATE_FIELDS = new Set(['date_add', 'date_upd']);

/** One value per resource, computed on first use: the request path asks for these on every call. */
function perDef<T>(compute: (def: ResourceDef) => T): (def: ResourceDef) => T {
  const cache = new WeakMap<ResourceDef, T>();
  return (def) => {
    let v = cache.get(def);
    if (v === undefined) cache.set(def, (v = compute(def)));
    return v;
  };
}

/** `id` and every field, in schema order. */
export const fieldNames = perDef((def): string[] => ['id', ...Object.keys(def.fields)]);

/** `fieldNames` without the date fields: what a filter or sort may name without `date=1`. */
export const undatedFieldNames = perDef((def): string[] => fieldNames(def).filter((f) => !DATE_FIELDS.has(f)));

/** The fields and their definitions, in schema order. */
export const fieldEntries = perDef((def): Array<[string, FieldDef]> => Object.entries(def.fields));

/** The association names of the resource, each with no field selection (all fields shown). */
export const allAssociations = perDef((def): ReadonlyMap<string, string[]> => new Map(Object.keys(def.associations ?? {}).map((a) => [a, []])));
