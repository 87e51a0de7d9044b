/**
 * The `orders` polling trigger. Orders are read by `date_upd` with `date=1`, an inclusive interval
 * `[watermark − overlap, far future]`, sorted `[date_upd_ASC,id_ASC]` and paged by keyset (the page
 * boundary moves to the last date seen, skipping only the rows already read at that date), so an order
 * updated in the same second as the watermark is read again and deduped on (id, date_upd) by the kit's
 * `pollWithOverlap`, never missed and never emitted twice. State transitions come from the fresh orders'
 * histories; credit slips are polled the same way on `date_add`.
 *
 * The cursor (stored by the engine, opaque JSON) holds both overlap cursors, the history rows already
 * emitted inside the window, and `hmin` (history rows older than the trigger's start are never emitted).
 *
 * Known limit: dates are shop-local without zone, so during a DST fall-back hour the wall clock repeats;
 * raise `overlapSeconds` to 3600 around that night if the shop is busy then.
 */
import { pollWithOverlap, type EmittedEvent, type PollResult, type TriggerContext } from '../kit/index.ts';
import type { PrestaShopClient, PsRecord, Query } from './client.ts';
import { orderEvents, slipEvent, type OrderHistoryRow } from './events.ts';
import { minusSeconds } from './time.ts';

const FAR_FUTURE = '9999-12-31 23:59:59';

interface OverlapState {
  at: string | null;
  seen: string[];
}

interface Cursor {
  v: 1;
  orders: OverlapState;
  slips: OverlapState;
  /** History rows emitted whose date_add is still inside the window: [id, date_add]. */
  hist: Array<[number, string]>;
  /** History rows before this shop date are never emitted (set when the trigger starts "from now"). */
  hmin: string | null;
}

export interface PollOptions {
  overlapSeconds: number;
  pageSize: number;
  /** Where a trigger without a cursor starts: `now` (default) or `all`. */
  since: 'now' | 'all';
}

export function pollOptions(options: Record<string, unknown>): PollOptions {
  const n = (k: string, d: number) => (typeof options[k] === 'number' && (options[k] as number) > 0 ? (options[k] as number) : d);
  return { overlapSeconds: n('overlapSeconds', 10), pageSize: n('pageSize', 100), since: options.since === 'all' ? 'all' : 'now' };
}

function parseCursor(raw: string | null): Cursor | null {
  if (!raw) return null;
  try {
    const c = JSON.parse(raw) as Partial<Cursor>;
    if (c.v === 1 && c.orders && c.slips) return { v: 1, orders: c.orders, slips: c.slips, hist: c.hist ?? [], hmin: c.hmin ?? null };
  } catch {
    // fall through: an unreadable cursor restarts from now rather than replaying the shop's history.
  }
  return null;
}

/** Every record of `resource` changed at or after `since` on `field`, paged by keyset. */
async function fetchChangedSince(client: PrestaShopClient, resource: string, field: string, since: string | null, pageSize: number): Promise<PsRecord[]> {
  const out: PsRecord[] = [];
  let from = since;
  let skip = 0;
  for (;;) {
    const q: Query = { display: 'full', date: 1, sort: `[${field}_ASC,id_ASC]`, limit: `${skip},${pageSize}` };
    if (from !== null) q[`filter[${field}]`] = `[${from},${FAR_FUTURE}]`;
    const page = await client.list(resource, q);
    out.push(...page);
    if (page.length < pageSize) return out;
    const last = String(page[page.length - 1]?.[field] ?? '');
    if (last === from) skip += page.length;
    else {
      skip = page.filter((r) => r[field] === last).length;
      from = last;
    }
  }
}

async function historiesOf(client: PrestaShopClient, orderIds: number[]): Promise<Map<number, OrderHistoryRow[]>> {
  const byOrder = new Map<number, OrderHistoryRow[]>();
  for (let i = 0; i < orderIds.length; i += 50) {
    const chunk = orderIds.slice(i, i + 50);
    const rows = await client.list('order_histories', { display: 'full', date: 1, 'filter[id_order]': `[${chunk.join('|')}]`, sort: '[id_ASC]' });
    for (const r of rows) {
      const h: OrderHistoryRow = { id: Number(r.id), id_order_state: String(r.id_order_state), id_order: String(r.id_order), date_add: String(r.date_add) };
      const list = byOrder.get(Number(h.id_order));
      if (list) list.push(h);
      else byOrder.set(Number(h.id_order), [h]);
    }
  }
  return byOrder;
}

export async function pollOrders(ctx: TriggerContext<PrestaShopClient>, rawCursor: string | null): Promise<PollResult> {
  const client = ctx.client;
  const opts = pollOptions(ctx.options);
  const overlap = (at: string) => minusSeconds(at, opts.overlapSeconds);
  const prev = parseCursor(rawCursor);
  const starting = prev === null;
  const cursor: Cursor = prev ?? { v: 1, orders: { at: null, seen: [] }, slips: { at: null, seen: [] }, hist: [], hmin: null };
  if (starting && opts.since === 'now') {
    // Start at the newest change the shop has: everything up to it counts as already seen.
    const [newest] = await client.list('orders', { display: '[id,date_upd]', date: 1, sort: '[date_upd_DESC,id_DESC]', limit: 1 });
    const [newestSlip] = await client.list('order_slip', { display: '[id,date_add]', date: 1, sort: '[date_add_DESC,id_DESC]', limit: 1 });
    cursor.orders.at = newest ? String(newest.date_upd) : null;
    cursor.slips.at = newestSlip ? String(newestSlip.date_add) : null;
    cursor.hmin = cursor.orders.at;
  }

  const orders = await pollWithOverlap<PsRecord>({
    cursor: JSON.stringify(cursor.orders),
    fetchSince: (since) => fetchChangedSince(client, 'orders', 'date_upd', since, opts.pageSize),
    changedAt: (o) => String(o.date_upd),
    keyOf: (o) => `${o.id}@${String(o.date_upd)}`,
    minusOverlap: overlap,
  });
  const slips = await pollWithOverlap<PsRecord>({
    cursor: JSON.stringify(cursor.slips),
    fetchSince: (since) => fetchChangedSince(client, 'order_slip', 'date_add', since, opts.pageSize),
    changedAt: (sl) => String(sl.date_add),
    keyOf: (sl) => `${sl.id}@${String(sl.date_add)}`,
    minusOverlap: overlap,
  });
  const nextOrders = JSON.parse(orders.cursor) as OverlapState;
  const nextSlips = JSON.parse(slips.cursor) as OverlapState;
  const windowStart = cursor.orders.at === null ? null : overlap(cursor.orders.at);
  const floor = nextOrders.at === null ? null : overlap(nextOrders.at);
  const emittedHist = new Map(cursor.hist);
  const events: EmittedEvent[] = [];

  // Starting "from now": the records read while starting are the baseline, not news.
  const silent = starting && opts.since === 'now';
  if (!silent && orders.items.length) {
    const ids = [...new Set(orders.items.map((o) => o.id))];
    const histories = await historiesOf(client, ids);
    const states = await client.statesFor(orders.items.map((o) => Number(o.current_state)));
    const isNew = (h: OrderHistoryRow) =>
      !emittedHist.has(h.id) && (windowStart === null || h.date_add >= windowStart) && (cursor.hmin === null || h.date_add >= cursor.hmin);
    for (const order of orders.items) {
      const hs = histories.get(order.id) ?? [];
      events.push(...orderEvents({ connection: ctx.connection.name, order, histories: hs, isNew, states, timezone: client.settings.timezone }));
      for (const h of hs) if (isNew(h)) emittedHist.set(h.id, h.date_add);
    }
  }
  if (!silent) for (const slip of slips.items) events.push(slipEvent(ctx.connection.name, slip, client.settings.timezone));

  const hist = [...emittedHist].filter(([, at]) => floor === null || at >= floor);
  const next: Cursor = { v: 1, orders: nextOrders, slips: nextSlips, hist, hmin: cursor.hmin };
  return { events, cursor: JSON.stringify(next) };
}
