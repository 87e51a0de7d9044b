/**
 * Realistic storefront checkouts over the demo company (src/emulators/demo-catalogue.ts): what the demo's
 * generator posts to the shop emulator and what the end-to-end tests and the benchmark order. Each kind
 * of checkout exercises one path of the order flow.
 */
import { Decimal } from 'decimal.js';
import { demoCompany, type DemoCustomer, type DemoItem } from '../emulators/demo-catalogue.ts';
import type { CheckoutInput } from '../emulators/prestashop/index.ts';

export type CheckoutKind =
  | 'normal' // a known customer, items in stock, a mapped payment method
  | 'large' // above the approval threshold (5,000 EUR)
  | 'new-customer' // an e-mail the ERP does not know: the customer is created first
  | 'no-stock' // one line of an item with no stock in warehouse 01
  | 'no-credit' // a customer over their credit limit
  | 'frozen' // a customer frozen in the ERP
  | 'unmapped-payment'; // cash on delivery, which the flow's paymentMethods does not map

const company = demoCompany();
const isFrozen = (c: DemoCustomer) => c.frozen;
const isOverCredit = (c: DemoCustomer) => Number(c.cardCode.slice(1)) % 13 === 0;
const itemNo = (i: DemoItem) => Number(i.code.slice(1));

export const GOOD_CUSTOMERS = company.customers.filter((c) => !isFrozen(c) && !isOverCredit(c));
export const FROZEN_CUSTOMERS = company.customers.filter(isFrozen);
export const OVER_CREDIT_CUSTOMERS = company.customers.filter((c) => !isFrozen(c) && isOverCredit(c));
/** Plenty of stock in 01, cheap enough that hundreds of orders stay within every customer's credit. */
export const EVERYDAY_ITEMS = company.items.filter((i) => itemNo(i) % 25 !== 0 && itemNo(i) % 7 !== 0 && i.vatRate === '21');
/** Dear items (up to ~900 EUR): large orders are made of these. */
export const DEAR_ITEMS = company.items.filter((i) => itemNo(i) % 7 === 0 && itemNo(i) % 25 !== 0 && Number(i.price) > 300);
export const OUT_OF_STOCK_ITEMS = company.items.filter((i) => (i.stock['01'] ?? 0) === 0);
/** Items on both VAT rates (21 % and 10 %), in stock. */
export const REDUCED_VAT_ITEMS = company.items.filter((i) => i.vatRate === '10' && itemNo(i) % 25 !== 0 && itemNo(i) % 7 !== 0);

export const PAYMENTS = {
  transfer: { module: 'ps_wirepayment', label: 'Bank wire' },
  cheque: { module: 'ps_checkpayment', label: 'Payments by check' },
  card: { module: 'stripe_official', label: 'Card (Stripe)' },
  cashOnDelivery: { module: 'ps_cashondelivery', label: 'Cash on delivery (COD)' },
} as const;

function pick<T>(rnd: () => number, list: readonly T[]): T {
  const v = list[Math.floor(rnd() * list.length)];
  if (v === undefined) throw new Error('pick from an empty list');
  return v;
}

/** Picks an item not in `used` (the next free one after a collision, so any `rnd`, even a constant, ends). */
function pickUnused(rnd: () => number, list: readonly DemoItem[], used: Set<string>): DemoItem {
  const start = Math.floor(rnd() * list.length);
  for (let k = 0; k < list.length; k++) {
    const item = list[(start + k) % list.length];
    if (item && !used.has(item.code)) {
      used.add(item.code);
      return item;
    }
  }
  throw new Error('every item of the list is already in the cart');
}

export function customerCheckout(c: DemoCustomer): Pick<CheckoutInput, 'customer' | 'address'> {
  return {
    customer: { email: c.email, firstname: c.firstname, lastname: c.lastname, company: c.company },
    address: { address1: c.address1, postcode: c.postcode, city: c.city, country_iso: c.countryIso, vat_number: c.vatNumber },
  };
}

export function newCustomerCheckout(tag: string): Pick<CheckoutInput, 'customer' | 'address'> {
  return {
    customer: { email: `buyer-${tag}@newcustomer.example.org`, firstname: 'Nora', lastname: `Newman ${tag}`, company: `Nueva Empresa ${tag} SL` },
    address: { address1: `Avenida Nueva ${tag.length + 7}`, postcode: '28004', city: 'Madrid', country_iso: 'ES', vat_number: `ESB${String(90000000 + tag.length * 97).slice(0, 8)}` },
  };
}

function everydayLines(rnd: () => number, count: number): CheckoutInput['lines'] {
  const lines: CheckoutInput['lines'] = [];
  const used = new Set<string>();
  while (lines.length < count) {
    const item = pickUnused(rnd, EVERYDAY_ITEMS, used);
    lines.push({ reference: item.code, quantity: 1 + Math.floor(rnd() * 3) });
  }
  return lines;
}

/** Lines of dear items until the net total passes `minNet` (the approval threshold is on the gross total). */
function largeLines(rnd: () => number, minNet: Decimal): CheckoutInput['lines'] {
  const lines: CheckoutInput['lines'] = [];
  let net = new Decimal(0);
  const used = new Set<string>();
  while (net.lte(minNet)) {
    const item = pickUnused(rnd, DEAR_ITEMS, used);
    const quantity = 2 + Math.floor(rnd() * 3);
    lines.push({ reference: item.code, quantity });
    net = net.plus(new Decimal(item.price).times(quantity));
  }
  return lines;
}

let newCustomerSeq = 0;

/** One checkout of the given kind. `rnd` decides customers, items and quantities. */
export function makeCheckout(kind: CheckoutKind, rnd: () => number = Math.random): CheckoutInput {
  const payment = pick(rnd, [PAYMENTS.transfer, PAYMENTS.transfer, PAYMENTS.cheque, PAYMENTS.card]);
  const good = () => customerCheckout(pick(rnd, GOOD_CUSTOMERS));
  switch (kind) {
    case 'normal':
      return { ...good(), lines: everydayLines(rnd, 1 + Math.floor(rnd() * 3)), payment };
    case 'large':
      return { ...good(), lines: largeLines(rnd, new Decimal(4300 + Math.floor(rnd() * 2000))), payment };
    case 'new-customer':
      newCustomerSeq += 1;
      return { ...newCustomerCheckout(`${Date.now().toString(36)}${newCustomerSeq}`), lines: everydayLines(rnd, 1 + Math.floor(rnd() * 2)), payment };
    case 'no-stock':
      return { ...good(), lines: [...everydayLines(rnd, 1), { reference: pick(rnd, OUT_OF_STOCK_ITEMS).code, quantity: 2 }], payment };
    case 'no-credit':
      return { ...customerCheckout(pick(rnd, OVER_CREDIT_CUSTOMERS)), lines: largeLines(rnd, new Decimal(3000)), payment };
    case 'frozen':
      return { ...customerCheckout(pick(rnd, FROZEN_CUSTOMERS)), lines: everydayLines(rnd, 2), payment };
    case 'unmapped-payment':
      return { ...good(), lines: everydayLines(rnd, 1), payment: PAYMENTS.cashOnDelivery, state: 'Payment accepted' };
  }
}

/** The demo's mix: mostly everyday orders, and each exceptional path now and then. */
const MIX: Array<[CheckoutKind, number]> = [
  ['normal', 55],
  ['large', 10],
  ['new-customer', 15],
  ['no-stock', 8],
  ['no-credit', 6],
  ['frozen', 3],
  ['unmapped-payment', 3],
];

export function randomKind(rnd: () => number = Math.random): CheckoutKind {
  const total = MIX.reduce((a, [, w]) => a + w, 0);
  let r = rnd() * total;
  for (const [kind, w] of MIX) {
    r -= w;
    if (r < 0) return kind;
  }
  return 'normal';
}
