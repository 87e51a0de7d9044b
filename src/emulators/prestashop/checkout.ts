/**
 * The storefront stand-in: what `PaymentModule::validateOrder()` leaves behind after a real checkout.
 * Customer (reused by email), address, cart, order with its details priced from the catalogue (tax per line,
 * round_type 2 = per line, half up), the carrier row with flat shipping, the first history row, stock
 * decremented, and a payment row when the initial state is a paid one.
 */
import { randomInt } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { addAddress, addCustomer, countryId, SHIPPING, six, TAX_RULES } from './seed.ts';
import { addOrderHistory } from './orders.ts';
import type { Row, ShopState } from './state.ts';

export interface CheckoutInput {
  customer: { email: string; firstname: string; lastname: string; company?: string };
  address: { address1: string; postcode: string; city: string; country_iso: string; vat_number?: string };
  lines: Array<{ reference: string; quantity: number }>;
  payment: { module: string; label: string };
  /** Initial state: a name (any language) or an id. Default: by payment module, as the module would. */
  state?: string | number;
}

export class CheckoutError extends Error {}

/** The initial state a payment module would set (looked up by its module_name, else "Payment accepted" = id 2). */
function initialState(state: ShopState, input: CheckoutInput): number {
  if (input.state !== undefined) {
    const wanted = String(input.state);
    for (const os of state.table('order_states').values()) {
      if (String(os.id) === wanted) return os.id;
      const names = typeof os.f.name === 'string' ? [os.f.name] : Object.values(os.f.name ?? {});
      if (names.some((n) => n.toLowerCase() === wanted.toLowerCase())) return os.id;
    }
    throw new CheckoutError(`unknown order state '${wanted}'`);
  }
  const byModule = state.find('order_states', 'module_name', input.payment.module);
  return byModule?.id ?? 2;
}

function randomReference(state: ShopState): string {
  for (;;) {
    let ref = '';
    for (let i = 0; i < 9; i++) ref += String.fromCharCode(65 + randomInt(26));
    if (!state.find('orders', 'reference', ref)) return ref;
  }
}

function productByReference(state: ShopState, reference: string): { product: Row; combination?: Row } {
  const combination = state.find('combinations', 'reference', reference);
  const product = combination ? state.get('products', Number(combination.f.id_product)) : state.find('products', 'reference', reference);
  if (!product) throw new CheckoutError(`no product or combination with reference '${reference}'`);
  return combination ? { product, combination } : { product };
}

export function checkout(state: ShopState, input: CheckoutInput): { id_order: number; reference: string } {
  if (!input.lines.length) throw new CheckoutError('the cart is empty: give at least one line');
  const idCountry = countryId(state, input.address.country_iso);
  if (!idCountry) throw new CheckoutError(`unknown country '${input.address.country_iso}'`);
  const stateId = initialState(state, input);
  const priced = input.lines.map((l) => {
    const { product, combination } = productByReference(state, l.reference);
    const rate = TAX_RULES[state.text(product.f.id_tax_rules_group)] ?? '0';
    const unitExcl = new Decimal(state.text(product.f.price)).plus(combination ? state.text(combination.f.price) || '0' : '0');
    const unitIncl = unitExcl.times(new Decimal(rate).div(100).plus(1));
    const lineExcl = unitExcl.times(l.quantity).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    const lineIncl = unitIncl.times(l.quantity).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    return { l, product, combination, rate, unitExcl, unitIncl, lineExcl, lineIncl };
  });

  const customerRow = state.find('customers', 'email', input.customer.email);
  const idCustomer = customerRow?.id ?? addCustomer(state, { ...input.customer, siret: input.address.vat_number ?? '' });
  const customer = state.get('customers', idCustomer) as Row;
  const idAddress = addAddress(state, { id_customer: idCustomer, id_country: idCountry, firstname: input.customer.firstname, lastname: input.customer.lastname, company: input.customer.company ?? '', vat_number: input.address.vat_number ?? '', address1: input.address.address1, postcode: input.address.postcode, city: input.address.city });
  const now = state.now();
  const idLang = state.text(customer.f.id_lang) || '1';
  const cart = state.insert('carts', { id_address_delivery: String(idAddress), id_address_invoice: String(idAddress), id_currency: '1', id_customer: String(idCustomer), id_guest: '0', id_lang: idLang, id_shop_group: '1', id_shop: '1', id_carrier: String(SHIPPING.carrierId), recyclable: '0', gift: '0', gift_message: '', mobile_theme: '0', delivery_option: '', secure_key: state.text(customer.f.secure_key), allow_seperated_package: '0', date_add: now, date_upd: now });

  const productsExcl = priced.reduce((a, p) => a.plus(p.lineExcl), new Decimal(0));
  const productsIncl = priced.reduce((a, p) => a.plus(p.lineIncl), new Decimal(0));
  const shipExcl = new Decimal(SHIPPING.costTaxExcl);
  const shipIncl = shipExcl.times(new Decimal(SHIPPING.taxRate).div(100).plus(1)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const paidIncl = productsIncl.plus(shipIncl);
  const paidExcl = productsExcl.plus(shipExcl);
  const reference = randomReference(state);
  const paid = state.get('order_states', stateId)?.f.paid === '1';
  const order = state.insert('orders', {
    id_address_delivery: String(idAddress), id_address_invoice: String(idAddress), id_cart: String(cart.id), id_currency: '1', id_lang: idLang,
    id_customer: String(idCustomer), id_carrier: String(SHIPPING.carrierId), current_state: '0', module: input.payment.module, invoice_number: '0',
    invoice_date: '0000-00-00 00:00:00', delivery_number: '0', delivery_date: '0000-00-00 00:00:00', valid: '0', date_add: now, date_upd: now,
    shipping_number: '', note: '', id_shop_group: '1', id_shop: '1', secure_key: state.text(customer.f.secure_key), payment: input.payment.label,
    recyclable: '0', gift: '0', gift_message: '', mobile_theme: '0', total_discounts: six(0), total_discounts_tax_incl: six(0), total_discounts_tax_excl: six(0),
    total_paid: six(paidIncl), total_paid_tax_incl: six(paidIncl), total_paid_tax_excl: six(paidExcl), total_paid_real: six(0),
    total_products: six(productsExcl), total_products_wt: six(productsIncl), total_shipping: six(shipIncl), total_shipping_tax_incl: six(shipIncl),
    total_shipping_tax_excl: six(shipExcl), carrier_tax_rate: new Decimal(SHIPPING.taxRate).toFixed(3), total_wrapping: six(0), total_wrapping_tax_incl: six(0),
    total_wrapping_tax_excl: six(0), round_mode: '2', round_type: '2', conversion_rate: '1.000000', reference,
  });
  let weight = new Decimal(0);
  for (const p of priced) {
    weight = weight.plus(new Decimal(state.text(p.product.f.weight) || '0').times(p.l.quantity));
    state.insert('order_details', {
      id_order: String(order.id), product_id: String(p.product.id), product_attribute_id: String(p.combination?.id ?? 0), product_quantity: String(p.l.quantity),
      product_quantity_in_stock: String(p.l.quantity), product_quantity_return: '0', product_quantity_refunded: '0', product_quantity_reinjected: '0',
      product_name: state.text(p.product.f.name), product_price: six(p.unitExcl), unit_price_tax_excl: six(p.unitExcl), unit_price_tax_incl: six(p.unitIncl),
      total_price_tax_excl: six(p.lineExcl), total_price_tax_incl: six(p.lineIncl), product_reference: p.combination ? state.text(p.combination.f.reference) : state.text(p.product.f.reference),
      product_ean13: '', product_isbn: '', product_upc: '', id_customization: '0', id_order_invoice: '0', id_warehouse: '0', id_shop: '1',
      id_tax_rules_group: state.text(p.product.f.id_tax_rules_group), tax_computation_method: '0', reduction_percent: '0.00', reduction_amount: six(0),
      original_product_price: six(p.unitExcl), total_refunded_tax_excl: six(0), total_refunded_tax_incl: six(0), product_weight: state.text(p.product.f.weight),
    });
    decrementStock(state, p.product.id, p.combination?.id ?? 0, p.l.quantity);
  }
  state.insert('order_carriers', { id_order: String(order.id), id_carrier: String(SHIPPING.carrierId), id_order_invoice: '0', weight: six(weight), shipping_cost_tax_excl: six(shipExcl), shipping_cost_tax_incl: six(shipIncl), tracking_number: '', date_add: now });
  const history = addOrderHistory(state, order.id, stateId, { sendEmail: true, silent: true });
  if (paid) {
    order.f.total_paid_real = six(paidIncl);
    state.insert('order_payments', { order_reference: reference, id_currency: '1', amount: six(paidIncl), payment_method: input.payment.label, conversion_rate: '1.000000', transaction_id: '', date_add: now });
  }
  state.emit('add', 'Order', order);
  state.emit('add', 'OrderHistory', history);
  return { id_order: order.id, reference };
}

function decrementStock(state: ShopState, productId: number, attributeId: number, qty: number): void {
  for (const s of state.rowsWhere('stock_availables', 'id_product', String(productId))) {
    if (s.f.id_product_attribute === String(attributeId)) {
      s.f.quantity = String(Number(s.f.quantity) - qty);
      if (attributeId === 0) {
        const product = state.get('products', productId);
        if (product) product.f.quantity = s.f.quantity;
      }
      return;
    }
  }
}
