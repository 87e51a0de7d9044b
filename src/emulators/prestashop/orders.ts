/**
 * Order behaviour the Webservice triggers: a new order history changes the order's state the way
 * `OrderHistory::changeIdOrderState()` does (current_state, valid, date_upd, invoice), optionally sends the
 * state's email; a tracking number on the order carrier mirrors into `orders.shipping_number`.
 */
import { ORDER_ROW_FIELDS } from './schema.ts';
import type { Row, ShopState } from './state.ts';

export function stateFlag(state: ShopState, stateId: number, flag: string): boolean {
  return state.get('order_states', stateId)?.f[flag] === '1';
}

function customerOf(state: ShopState, order: Row): Row | undefined {
  return state.get('customers', Number(order.f.id_customer));
}

function nextInvoiceNumber(state: ShopState): number {
  let max = 0;
  for (const inv of state.table('order_invoices').values()) max = Math.max(max, Number(inv.f.number));
  return max + 1;
}

/** Creates the order invoice the first time the order reaches a state with `invoice=1`. */
function ensureInvoice(state: ShopState, order: Row, now: string): void {
  if (order.f.invoice_number !== '0' && order.f.invoice_number !== '') return;
  const number = nextInvoiceNumber(state);
  state.insert('order_invoices', {
    id_order: String(order.id), number: String(number), delivery_number: '0', delivery_date: '0000-00-00 00:00:00',
    total_discount_tax_excl: order.f.total_discounts_tax_excl ?? '0.000000', total_discount_tax_incl: order.f.total_discounts_tax_incl ?? '0.000000',
    total_paid_tax_excl: order.f.total_paid_tax_excl ?? '', total_paid_tax_incl: order.f.total_paid_tax_incl ?? '', total_products: order.f.total_products ?? '',
    total_products_wt: order.f.total_products_wt ?? '', total_shipping_tax_excl: order.f.total_shipping_tax_excl ?? '', total_shipping_tax_incl: order.f.total_shipping_tax_incl ?? '',
    shipping_tax_computation_method: '0', total_wrapping_tax_excl: '0.000000', total_wrapping_tax_incl: '0.000000', shop_address: '', note: '', date_add: now,
  });
  order.f.invoice_number = String(number);
  order.f.invoice_date = now;
}

export function sendEmail(state: ShopState, order: Row, template: string, subject: string, vars: Record<string, string> = {}): void {
  const customer = customerOf(state, order);
  state.emails.push({ to: customer ? state.text(customer.f.email) : '', template, subject, id_order: order.id, at: state.now(), vars: { order_name: state.text(order.f.reference), ...vars } });
}

/**
 * Adds a history row and applies it to the order. `sendEmail` mirrors `?sendemail=1` (addWithemail): the
 * state's template is mailed when the state has `send_email=1`.
 */
export function addOrderHistory(state: ShopState, orderId: number, stateId: number, opts: { sendEmail?: boolean; employeeId?: number; silent?: boolean } = {}): Row {
  const order = state.get('orders', orderId);
  const os = state.get('order_states', stateId);
  if (!order || !os) throw new Error('order and state must exist');
  const now = state.now();
  const history = state.insert('order_histories', { id_employee: String(opts.employeeId ?? 0), id_order_state: String(stateId), id_order: String(orderId), date_add: now });
  order.f.current_state = String(stateId);
  order.f.valid = os.f.logable === '1' ? '1' : '0';
  if (os.f.invoice === '1') ensureInvoice(state, order, now);
  if (os.f.paid === '1' && order.f.total_paid_real === '0.000000') order.f.total_paid_real = order.f.total_paid_tax_incl ?? '0.000000';
  order.f.date_upd = now;
  const template = state.text(os.f.template);
  if (opts.sendEmail && os.f.send_email === '1' && template) {
    sendEmail(state, order, template, `[Shop] ${state.text(os.f.name)}`, { order_state: state.text(os.f.name) });
  }
  if (!opts.silent) {
    state.emit('add', 'OrderHistory', history);
    state.emit('update', 'Order', order);
  }
  return history;
}

/** After an order carrier is written: mirror the tracking number; with `sendemail=1`, the in_transit email. */
export function afterOrderCarrierWrite(state: ShopState, carrier: Row, sendEmailFlag: boolean): void {
  const order = state.get('orders', Number(carrier.f.id_order));
  if (!order) return;
  const tracking = state.text(carrier.f.tracking_number);
  if (order.f.shipping_number !== tracking) {
    order.f.shipping_number = tracking;
    order.f.date_upd = state.now();
  }
  if (sendEmailFlag && tracking) sendEmail(state, order, 'in_transit', '[Shop] Package in transit', { shipping_number: tracking });
}

/** Order rows (the read-only association) derived from the order's details. */
export function orderRows(state: ShopState, orderId: number): Array<Record<string, string>> {
  const ids = state.idsWhere('order_details', 'id_order', String(orderId)) ?? [];
  const rows: Array<Record<string, string>> = [];
  for (const id of ids) {
    const d = state.get('order_details', id);
    if (!d) continue;
    const row: Record<string, string> = {};
    for (const k of ORDER_ROW_FIELDS) row[k] = k === 'id' ? String(d.id) : state.text(d.f[k]);
    rows.push(row);
  }
  return rows;
}

