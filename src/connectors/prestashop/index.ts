/**
 * The `prestashop` connector (PrestaShop 1.7 / 8.x Webservice). Connection settings:
 * `{ baseUrl, apiKey, psVersion?, timeoutMs?, concurrency?, confirmedStates?, cancelledStates?,
 * refundedStates?, webhookSecret?, timezone? }`. See docs/prestashop.md.
 */
import { defineConnector } from '../kit/index.ts';
import { createPrestaShopClient, type PrestaShopClient } from './client.ts';
import { pollOrders } from './poller.ts';
import { readActions } from './read-actions.ts';
import { sharedReadStats } from './shared-reads.ts';
import { receiveWebhook } from './webhook.ts';
import { writeActions } from './write-actions.ts';

export type { PrestaShopSettings } from './types.ts';
export type { PrestaShopClient } from './client.ts';
export type { GetOrderInput, GetOrderOutput, ShopAddress, ShopOrderLine, ListOrderSlipsInput, OrderSlip, OrderStateInfo } from './read-actions.ts';
export type {
  SetOrderStateInput, SetOrderStateOutput, SetTrackingInput, SetTrackingOutput, AddCustomerMessageInput, AddCustomerMessageOutput, SetStockInput, SetStockOutput,
} from './write-actions.ts';

export const prestashopConnector = defineConnector<PrestaShopClient>({
  name: 'prestashop',
  description: 'PrestaShop 1.7 / 8.x through its Webservice: order triggers (polling, webhook module) and order, message and stock actions.',
  createClient: createPrestaShopClient,
  close: async (client) => client.http.close(),
  sharedReads: sharedReadStats,
  triggers: {
    orders: {
      kind: 'polling',
      description: 'Orders changed since the cursor (date_upd, overlap window, dedupe on id + date_upd) and new credit slips: order.confirmed, order.state_changed, order.cancelled, order.refunded, order_slip.created.',
      defaultIntervalMs: 2000,
      poll: pollOrders,
    },
    webhook: {
      kind: 'webhook',
      description: 'Deliveries of a PrestaShop webhook module ({action, entity, data}), HMAC-SHA256 verified when webhookSecret is set; the same events as the poller.',
      receive: receiveWebhook,
    },
  },
  actions: { ...readActions, ...writeActions },
});
