/**
 * Read actions: an order with everything a flow needs to create the ERP document, the credit slips of
 * an order, and the shop's order states. Amounts stay the shop's decimal strings (6 decimals). The
 * orders that runs read at the same moment share their webservice calls (shared-reads.ts).
 */
import { UserError } from '../../core/errors.ts';
import type { ActionContext, ActionDefinition } from '../kit/index.ts';
import type { PrestaShopClient } from './client.ts';
import { getShared, listOfOrderShared } from './shared-reads.ts';
import type { OrderStateInfo } from './states.ts';
import type { PsRecord } from './types.ts';

const s = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

export interface ShopAddress {
  id: number;
  company: string;
  firstname: string;
  lastname: string;
  address1: string;
  address2: string;
  postcode: string;
  city: string;
  countryIso: string;
  vatNumber: string;
  phone: string;
  dni: string;
}

export interface ShopOrderLine {
  id: number;
  productId: number;
  combinationId: number;
  reference: string;
  name: string;
  quantity: number;
  unitPriceTaxExcl: string;
  unitPriceTaxIncl: string;
  totalTaxExcl: string;
  totalTaxIncl: string;
  quantityRefunded: number;
}

export interface GetOrderInput {
  orderId: number;
}

export interface GetOrderOutput {
  id: number;
  reference: string;
  currentState: number;
  stateName: string;
  /** The payment module (`ps_wirepayment`); `payment` is the label shown to people. */
  module: string;
  payment: string;
  currency: string;
  conversionRate: string;
  totalPaidTaxIncl: string;
  totalPaidTaxExcl: string;
  totalPaidReal: string;
  totalProductsTaxExcl: string;
  totalProductsTaxIncl: string;
  totalShippingTaxExcl: string;
  totalShippingTaxIncl: string;
  totalDiscountsTaxExcl: string;
  totalDiscountsTaxIncl: string;
  carrierTaxRate: string;
  shippingNumber: string;
  valid: boolean;
  dateAdd: string;
  dateUpd: string;
  /** The order's language and shop (id_lang, id_shop). */
  langId: number;
  shopId: number;
  customer: { id: number; email: string; firstname: string; lastname: string; company: string; siret: string; langId: number };
  deliveryAddress: ShopAddress;
  invoiceAddress: ShopAddress;
  lines: ShopOrderLine[];
}

async function address(client: PrestaShopClient, id: unknown): Promise<ShopAddress> {
  const a = await getShared(client, 'addresses', s(id));
  if (!a) throw new UserError('OF_PS_NOT_FOUND', `address ${s(id)} does not exist on PrestaShop connection '${client.connectionName}'`);
  return {
    id: a.id, company: s(a.company), firstname: s(a.firstname), lastname: s(a.lastname), address1: s(a.address1), address2: s(a.address2),
    postcode: s(a.postcode), city: s(a.city), countryIso: await client.isoCode('countries', a.id_country), vatNumber: s(a.vat_number), phone: s(a.phone || a.phone_mobile), dni: s(a.dni),
  };
}

function line(d: PsRecord): ShopOrderLine {
  return {
    id: d.id, productId: Number(d.product_id), combinationId: Number(d.product_attribute_id), reference: s(d.product_reference), name: s(d.product_name),
    quantity: Number(d.product_quantity), unitPriceTaxExcl: s(d.unit_price_tax_excl), unitPriceTaxIncl: s(d.unit_price_tax_incl),
    totalTaxExcl: s(d.total_price_tax_excl), totalTaxIncl: s(d.total_price_tax_incl), quantityRefunded: Number(d.product_quantity_refunded ?? 0),
  };
}

export async function readOrder(client: PrestaShopClient, orderId: number): Promise<GetOrderOutput> {
  const o = await getShared(client, 'orders', orderId);
  if (!o) throw new UserError('OF_PS_ORDER_NOT_FOUND', `order ${orderId} does not exist on PrestaShop connection '${client.connectionName}'`, { orderId });
  const sameAddress = s(o.id_address_delivery) === s(o.id_address_invoice);
  const [customer, delivery, invoice, currencyIso, details, states] = await Promise.all([
    getShared(client, 'customers', s(o.id_customer)),
    address(client, o.id_address_delivery),
    sameAddress ? undefined : address(client, o.id_address_invoice),
    client.isoCode('currencies', o.id_currency),
    listOfOrderShared(client, 'order_details', orderId),
    client.statesFor([Number(o.current_state)]),
  ]);
  return {
    id: o.id, reference: s(o.reference), currentState: Number(o.current_state), stateName: states.nameOf(Number(o.current_state)),
    module: s(o.module), payment: s(o.payment), currency: currencyIso, conversionRate: s(o.conversion_rate),
    totalPaidTaxIncl: s(o.total_paid_tax_incl), totalPaidTaxExcl: s(o.total_paid_tax_excl), totalPaidReal: s(o.total_paid_real),
    totalProductsTaxExcl: s(o.total_products), totalProductsTaxIncl: s(o.total_products_wt), totalShippingTaxExcl: s(o.total_shipping_tax_excl),
    totalShippingTaxIncl: s(o.total_shipping_tax_incl), totalDiscountsTaxExcl: s(o.total_discounts_tax_excl), totalDiscountsTaxIncl: s(o.total_discounts_tax_incl),
    carrierTaxRate: s(o.carrier_tax_rate), shippingNumber: s(o.shipping_number), valid: o.valid === '1', dateAdd: s(o.date_add), dateUpd: s(o.date_upd), langId: Number(o.id_lang ?? 0), shopId: Number(o.id_shop ?? 0),
    customer: {
      id: Number(o.id_customer), email: s(customer?.email), firstname: s(customer?.firstname), lastname: s(customer?.lastname),
      company: s(customer?.company), siret: s(customer?.siret), langId: Number(customer?.id_lang ?? 0),
    },
    deliveryAddress: delivery,
    invoiceAddress: invoice ?? delivery,
    lines: details.map(line),
  };
}

export interface OrderSlip {
  id: number;
  orderId: number;
  customerId: number;
  totalProductsTaxExcl: string;
  totalProductsTaxIncl: string;
  totalShippingTaxExcl: string;
  totalShippingTaxIncl: string;
  amount: string;
  partial: boolean;
  dateAdd: string;
  details: Array<{ orderDetailId: number; quantity: number; amountTaxExcl: string; amountTaxIncl: string }>;
}

export interface ListOrderSlipsInput {
  orderId?: number;
}

export async function listSlips(client: PrestaShopClient, input: ListOrderSlipsInput): Promise<OrderSlip[]> {
  const q: Record<string, string> = { display: 'full', sort: '[id_ASC]' };
  if (input.orderId !== undefined) q['filter[id_order]'] = `[${input.orderId}]`;
  const rows = await client.list('order_slip', q);
  return rows.map((r) => {
    const details = ((r.associations as { order_slip_details?: Array<Record<string, unknown>> } | undefined)?.order_slip_details ?? []).map((d) => ({
      orderDetailId: Number(d.id_order_detail), quantity: Number(d.product_quantity), amountTaxExcl: s(d.amount_tax_excl), amountTaxIncl: s(d.amount_tax_incl),
    }));
    return {
      id: r.id, orderId: Number(r.id_order), customerId: Number(r.id_customer), totalProductsTaxExcl: s(r.total_products_tax_excl),
      totalProductsTaxIncl: s(r.total_products_tax_incl), totalShippingTaxExcl: s(r.total_shipping_tax_excl), totalShippingTaxIncl: s(r.total_shipping_tax_incl),
      amount: s(r.amount), partial: r.partial === '1', dateAdd: s(r.date_add), details,
    };
  });
}

export type { OrderStateInfo };

export const readActions: Record<string, ActionDefinition<PrestaShopClient>> = {
  getOrder: {
    description: 'Reads an order with its lines, customer, delivery and invoice addresses (country ISO), payment module and currency.',
    write: false,
    run: (ctx: ActionContext<PrestaShopClient>, input: GetOrderInput) => readOrder(ctx.client, Number(input.orderId)),
  },
  listOrderSlips: {
    description: 'Lists credit slips (order_slip), optionally of one order, with their detail lines.',
    write: false,
    run: (ctx: ActionContext<PrestaShopClient>, input: ListOrderSlipsInput) => listSlips(ctx.client, input ?? {}),
  },
  getOrderStates: {
    description: 'Lists the shop\'s order states with their names and flags (paid, logable, shipped, invoice, delivery).',
    write: false,
    run: async (ctx: ActionContext<PrestaShopClient>): Promise<OrderStateInfo[]> => [...(await ctx.client.states(true)).byId.values()],
  },
};
