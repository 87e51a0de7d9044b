/**
 * Write actions. Each declares a reconcile probe that looks the effect up in the shop before an ambiguous
 * write is retried: the state already current, the tracking number already set, the same message
 * already on the order, the stock already at the quantity. The reads before a write (the order's current
 * state, the order's message threads) are shared with other runs reading at the same moment
 * (shared-reads.ts): a shared read is sent after it is asked for, so it sees every write made before.
 */
import { randomBytes } from 'node:crypto';
import { UserError } from '../../core/errors.ts';
import type { ActionContext, ActionDefinition } from '../kit/index.ts';
import type { PrestaShopClient } from './client.ts';
import { getShared, listOfOrderShared } from './shared-reads.ts';
import { newEntity } from './xml.ts';

type Ctx = ActionContext<PrestaShopClient>;
const s = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
/** An id, or 1 (the default language and shop) when it is missing or 0. */
const idOr1 = (v: unknown): string => (s(v) === '' || s(v) === '0' ? '1' : s(v));

async function orderOrFail(client: PrestaShopClient, orderId: number) {
  const o = await getShared(client, 'orders', orderId);
  if (!o) throw new UserError('OF_PS_ORDER_NOT_FOUND', `order ${orderId} does not exist on PrestaShop connection '${client.connectionName}'`, { orderId });
  return o;
}

export interface SetOrderStateInput {
  orderId: number;
  /** A state name (any language), `template:<tpl>`, or an id. */
  state: string | number;
  /** Send the state's email to the customer (`sendemail=1`). Default false. */
  sendEmail?: boolean;
}

export interface SetOrderStateOutput {
  orderId: number;
  stateId: number;
  stateName: string;
  /** False when the order was already in that state (nothing was written). */
  changed: boolean;
  historyId?: number;
}

async function currentStateProbe(ctx: Ctx, input: SetOrderStateInput): Promise<SetOrderStateOutput | undefined> {
  const states = await ctx.client.states();
  const target = states.resolve(input.state, ctx.connection.name);
  const order = await orderOrFail(ctx.client, Number(input.orderId));
  return Number(order.current_state) === target.id ? { orderId: order.id, stateId: target.id, stateName: target.name, changed: false } : undefined;
}

export interface SetTrackingInput {
  orderId: number;
  trackingNumber: string;
  /** Send the `in_transit` email with the tracking link (`sendemail=1`). Default false. */
  sendEmail?: boolean;
}

export interface SetTrackingOutput {
  orderId: number;
  orderCarrierId: number;
  trackingNumber: string;
  changed: boolean;
}

async function orderCarrier(client: PrestaShopClient, orderId: number) {
  const order = await orderOrFail(client, orderId);
  const rows = await client.list('order_carriers', { display: 'full', 'filter[id_order]': `[${orderId}]`, sort: '[id_ASC]' });
  const row = rows.find((r) => s(r.id_carrier) === s(order.id_carrier)) ?? rows[0];
  if (!row) throw new UserError('OF_PS_NO_ORDER_CARRIER', `order ${orderId} has no carrier row (order_carriers) on PrestaShop connection '${client.connectionName}'; a virtual order cannot carry a tracking number`, { orderId });
  return row;
}

export interface AddCustomerMessageInput {
  orderId: number;
  /** Shown to the customer on the order page (private = 0). */
  message: string;
  /** The employee signing the message (default 1). */
  employeeId?: number;
  /**
   * What the flow already read of the order (getOrder's customer.id, customer.email, langId, shopId). With
   * it, the order and its customer are not read again: only the thread lookup and the writes remain.
   */
  known?: { customerId: number; email: string; langId?: number; shopId?: number };
}

export interface AddCustomerMessageOutput {
  orderId: number;
  threadId: number;
  messageId: number;
  created: boolean;
}

function threadsOf(client: PrestaShopClient, orderId: number) {
  return listOfOrderShared(client, 'customer_threads', orderId);
}

async function findMessage(client: PrestaShopClient, orderId: number, message: string): Promise<AddCustomerMessageOutput | undefined> {
  const threads = await threadsOf(client, orderId);
  if (!threads.length) return undefined;
  const msgs = await client.list('customer_messages', { display: 'full', 'filter[id_customer_thread]': `[${threads.map((t) => t.id).join('|')}]` });
  const hit = msgs.find((m) => s(m.message) === message && s(m.private) !== '1');
  return hit ? { orderId, threadId: Number(hit.id_customer_thread), messageId: hit.id, created: false } : undefined;
}

export interface SetStockInput {
  /** The product reference (or a combination's reference when `combination` is not given and no product has it). */
  reference: string;
  quantity: number;
  /** The combination's reference, for stock per combination. */
  combination?: string;
}

export interface SetStockOutput {
  stockAvailableId: number;
  productId: number;
  combinationId: number;
  previousQuantity: number;
  quantity: number;
}

async function stockRow(client: PrestaShopClient, input: SetStockInput) {
  const conn = client.connectionName;
  let productId: number | undefined;
  let combinationId = 0;
  const combRef = input.combination ?? undefined;
  if (!combRef) {
    const [p] = await client.list('products', { display: '[id,reference]', 'filter[reference]': `[${input.reference}]` });
    productId = p?.id;
  }
  if (productId === undefined) {
    const [c] = await client.list('combinations', { display: '[id,id_product,reference]', 'filter[reference]': `[${combRef ?? input.reference}]` });
    if (c) [productId, combinationId] = [Number(c.id_product), c.id];
  }
  if (productId === undefined) throw new UserError('OF_PS_UNKNOWN_REFERENCE', `no product or combination with reference '${combRef ?? input.reference}' on PrestaShop connection '${conn}'`, { reference: input.reference, combination: input.combination });
  const [row] = await client.list('stock_availables', { display: 'full', 'filter[id_product]': `[${productId}]`, 'filter[id_product_attribute]': `[${combinationId}]`, sort: '[id_ASC]' });
  if (!row) throw new UserError('OF_PS_NO_STOCK_ROW', `product ${productId} (combination ${combinationId}) has no stock_availables row on PrestaShop connection '${conn}'`, { productId, combinationId });
  return { row, productId, combinationId };
}

export const writeActions: Record<string, ActionDefinition<PrestaShopClient>> = {
  setOrderState: {
    description: 'Changes an order\'s state through order_histories (hooks, invoice, stock as in the back office), optionally emailing the customer.',
    write: true,
    async run(ctx: Ctx, input: SetOrderStateInput): Promise<SetOrderStateOutput> {
      const already = await currentStateProbe(ctx, input);
      if (already) return already;
      const target = (await ctx.client.states()).resolve(input.state, ctx.connection.name);
      const h = await ctx.client.postXml('order_histories', newEntity('order_history', { id_order: String(input.orderId), id_order_state: String(target.id) }), input.sendEmail ? { sendemail: 1 } : {});
      return { orderId: Number(input.orderId), stateId: target.id, stateName: target.name, changed: true, historyId: h.id };
    },
    reconcile: async (ctx: Ctx, input: SetOrderStateInput) => {
      const found = await currentStateProbe(ctx, input);
      return found ? { ...found, changed: true } : undefined;
    },
  },
  setTracking: {
    description: 'Sets the tracking number on the order\'s carrier row (PUT of the full order_carrier), optionally sending the in_transit email.',
    write: true,
    async run(ctx: Ctx, input: SetTrackingInput): Promise<SetTrackingOutput> {
      const row = await orderCarrier(ctx.client, Number(input.orderId));
      if (s(row.tracking_number) === input.trackingNumber) return { orderId: Number(input.orderId), orderCarrierId: row.id, trackingNumber: input.trackingNumber, changed: false };
      await ctx.client.modify('order_carriers', row.id, (e) => e.fields.set('tracking_number', input.trackingNumber), input.sendEmail ? { sendemail: 1 } : {});
      return { orderId: Number(input.orderId), orderCarrierId: row.id, trackingNumber: input.trackingNumber, changed: true };
    },
    reconcile: async (ctx: Ctx, input: SetTrackingInput) => {
      const row = await orderCarrier(ctx.client, Number(input.orderId));
      return s(row.tracking_number) === input.trackingNumber ? { orderId: Number(input.orderId), orderCarrierId: row.id, trackingNumber: input.trackingNumber, changed: true } : undefined;
    },
  },
  addCustomerMessage: {
    description: 'Adds a customer-visible message to an order (customer_threads + customer_messages, private = 0), opening the thread if needed.',
    write: true,
    async run(ctx: Ctx, input: AddCustomerMessageInput): Promise<AddCustomerMessageOutput> {
      const client = ctx.client;
      const orderId = Number(input.orderId);
      const known = input.known?.customerId && input.known.email ? input.known : undefined;
      const order = known ? undefined : await orderOrFail(client, orderId);
      let thread = (await threadsOf(client, orderId))[0];
      if (!thread) {
        const customerId = known ? String(known.customerId) : s(order?.id_customer);
        const email = known ? known.email : s((await client.get('customers', customerId, { display: '[id,email]' }))?.email);
        thread = await client.postXml('customer_threads', newEntity('customer_thread', {
          id_lang: idOr1(known ? known.langId : order?.id_lang), id_shop: idOr1(known ? known.shopId : order?.id_shop), id_customer: customerId, id_order: String(orderId),
          id_product: '0', id_contact: '0', email, token: randomBytes(6).toString('hex'), status: 'open',
        }));
      }
      const m = await client.postXml('customer_messages', newEntity('customer_message', {
        id_employee: String(input.employeeId ?? 1), id_customer_thread: String(thread.id), message: input.message, private: '0', read: '0',
      }));
      return { orderId, threadId: thread.id, messageId: m.id, created: true };
    },
    reconcile: (ctx: Ctx, input: AddCustomerMessageInput) => findMessage(ctx.client, Number(input.orderId), input.message),
  },
  setStock: {
    description: 'Sets the available quantity of a product or combination, found by reference (stock_availables, PUT of the full row).',
    write: true,
    async run(ctx: Ctx, input: SetStockInput): Promise<SetStockOutput> {
      const quantity = Math.trunc(Number(input.quantity));
      if (!Number.isFinite(quantity)) throw new UserError('OF_PS_BAD_INPUT', `setStock: quantity must be a whole number, got '${String(input.quantity)}'`);
      const { row, productId, combinationId } = await stockRow(ctx.client, input);
      const previous = Number(row.quantity);
      if (previous !== quantity) await ctx.client.modify('stock_availables', row.id, (e) => e.fields.set('quantity', String(quantity)));
      return { stockAvailableId: row.id, productId, combinationId, previousQuantity: previous, quantity };
    },
    reconcile: async (ctx: Ctx, input: SetStockInput) => {
      const { row, productId, combinationId } = await stockRow(ctx.client, input);
      return Number(row.quantity) === Math.trunc(Number(input.quantity)) ? { stockAvailableId: row.id, productId, combinationId, previousQuantity: Number(row.quantity), quantity: Number(row.quantity) } : undefined;
    },
  },
};
