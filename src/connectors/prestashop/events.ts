/**
 * From shop records to events. Both triggers (poller and webhook) build events here, so the same fact
 * carries the same dedupe key whichever way it arrived.
 *
 * - `order.state_changed`: one per order history row (a state transition), key `…:order:<id>:state:<state>:h<history id>`.
 * - `order.cancelled` / `order.refunded`: a history row entering such a state, key `…:order:<id>:cancelled:h<history id>`.
 * - `order.confirmed`: the FIRST history row entering a confirmed state. Its key depends on the order id
 *   only (`…:order:<id>:confirmed`), so an order updated later (a message, a new state) can never be
 *   confirmed twice: a repeat is absorbed by the engine's event dedupe.
 * - `order_slip.created`: key `…:order_slip:<id>`.
 * All order events share the entity key `shop:order:<id>` (one lane per order) and the version `date_upd`.
 */
import type { EmittedEvent } from '../kit/index.ts';
import type { StateCatalog } from './states.ts';
import { shopDateToIso } from './time.ts';
import type { PsRecord } from './types.ts';

export interface OrderHistoryRow {
  id: number;
  id_order_state: string;
  id_order: string;
  date_add: string;
}

const s = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

export function orderPayload(order: PsRecord, states: StateCatalog): Record<string, unknown> {
  const stateId = Number(order.current_state);
  return {
    id: order.id,
    reference: s(order.reference),
    current_state: stateId,
    state: states.nameOf(stateId),
    id_customer: Number(order.id_customer),
    id_currency: Number(order.id_currency),
    total_paid_tax_incl: s(order.total_paid_tax_incl),
    total_paid_tax_excl: s(order.total_paid_tax_excl),
    total_paid_real: s(order.total_paid_real),
    payment: s(order.payment),
    module: s(order.module),
    valid: order.valid === '1',
    date_add: s(order.date_add),
    date_upd: s(order.date_upd),
  };
}

export interface OrderEventInput {
  connection: string;
  order: PsRecord;
  /** Every history row of the order (any order; sorted here by id). */
  histories: OrderHistoryRow[];
  /** Which history rows to emit for (the poller: those not yet emitted and inside its window). */
  isNew(h: OrderHistoryRow): boolean;
  states: StateCatalog;
  timezone?: string | undefined;
}

export function orderEvents(input: OrderEventInput): EmittedEvent[] {
  const { connection, order, states } = input;
  const histories = [...input.histories].sort((a, b) => a.id - b.id);
  const base = orderPayload(order, states);
  const entityKey = `shop:order:${order.id}`;
  const version = s(order.date_upd);
  const prefix = `prestashop:${connection}:order:${order.id}`;
  const events: EmittedEvent[] = [];
  let confirmedBefore = false;
  let previous: number | undefined;
  for (const h of histories) {
    const to = Number(h.id_order_state);
    const confirmedNow = states.isConfirmed(to);
    if (input.isNew(h)) {
      const history = { id: h.id, id_order_state: to, state: states.nameOf(to), date_add: h.date_add, from_state: previous ?? null, from_state_name: previous === undefined ? null : states.nameOf(previous) };
      const occurredAt = shopDateToIso(h.date_add, input.timezone);
      const ev = (type: string, dedupeKey: string): EmittedEvent => ({ type, dedupeKey, entityKey, version, occurredAt, payload: { ...base, history } });
      events.push(ev('order.state_changed', `${prefix}:state:${to}:h${h.id}`));
      if (confirmedNow && !confirmedBefore) events.push(ev('order.confirmed', `${prefix}:confirmed`));
      if (states.isCancelled(to)) events.push(ev('order.cancelled', `${prefix}:cancelled:h${h.id}`));
      if (states.isRefunded(to)) events.push(ev('order.refunded', `${prefix}:refunded:h${h.id}`));
    }
    confirmedBefore ||= confirmedNow;
    previous = to;
  }
  // A shop (or module) that set the state without a history row: judge by the current state alone.
  if (!histories.length && states.isConfirmed(Number(order.current_state))) {
    events.push({ type: 'order.confirmed', dedupeKey: `${prefix}:confirmed`, entityKey, version, occurredAt: shopDateToIso(order.date_upd, input.timezone), payload: base });
  }
  return events;
}

export function slipEvent(connection: string, slip: PsRecord, timezone?: string): EmittedEvent {
  const assoc = slip.associations as { order_slip_details?: unknown[] } | undefined;
  return {
    type: 'order_slip.created',
    dedupeKey: `prestashop:${connection}:order_slip:${slip.id}`,
    entityKey: `shop:order:${s(slip.id_order)}`,
    occurredAt: shopDateToIso(slip.date_add, timezone),
    payload: {
      id: slip.id,
      id_order: Number(slip.id_order),
      id_customer: Number(slip.id_customer),
      total_products_tax_excl: s(slip.total_products_tax_excl),
      total_products_tax_incl: s(slip.total_products_tax_incl),
      total_shipping_tax_excl: s(slip.total_shipping_tax_excl),
      total_shipping_tax_incl: s(slip.total_shipping_tax_incl),
      amount: s(slip.amount),
      partial: slip.partial === '1',
      date_add: s(slip.date_add),
      details: assoc?.order_slip_details ?? [],
    },
  };
}
