/**
 * The `orders` polling trigger. Orders are read by `date_upd` with `date=1`, an inclusive interval
 * `[watermark − overlap, far future]`, sorted `[date_upd_ASC,id_ASC]` and paged by keyset (the page
 * boundary moves to the last date seen, skipping only the rows already read at that date), so an order
 * updated in the same second as the watermark is read again and deduped on (id, date_upd) by the kit's
 * `pollWithOverlap`, never missed and never emitted twice. The window reads only each order's version
 * fields; the new versions are then fetched in full, 50 per request. Order histories (append-only) are read the
 * same way on `date_add` and deduped on their id: they say exactly which state transitions are new, and
 * the events are built from them (see events.ts). Credit slips are read the same way on `date_add`.
 *
 * The cursor (stored by the engine, opaque JSON) holds the three overlap cursors, so a new process
 * resumes exactly where the last one stopped.
 *
 * Known limit: dates are shop-local without zone, so during a DST fall-back hour the wall clock repeats;
 * raise `overlapSeconds` to 3600 around that night if the shop is busy then.
 */
import { pollWithOverlap, type EmittedEvent, type PollResult, type TriggerContext } from '../kit/index.ts';
import type { PrestaShopClient, PsRecord, Query } from './client.ts';
import { orderEvents, slipEvent, type OrderHistoryRow } from './events.ts';
import { minusSeconds } from './time.ts';

const FAR_FUTURE = '9999-12-31 23:59:59';

/**
 * What the orders stream reads of each order: enough to tell a version apart. The window re-reads every
 * order changed in its last `overlapSeconds` on every poll (at 50 orders a second and a 10 s window, each
 * order about 40 times), so it reads these few fields; the full orders are fetched once, for the versions
 * that are new.
 */
const ORDER_VERSION_FIELDS = '[id,date_upd,current_state]';

/**
 * The dedupe key of one order version: (id, date_upd) plus the state, because date_upd has whole-second
 * resolution and an order whose state changed twice in one second keeps its date_upd. (Other changes
 * within that second emit nothing: events come from states and their history rows.)
 */
function orderVersionKey(o: PsRecord): string {
  return `${o.id}@${String(o.date_upd)}#${String(o.current_state)}`;
}

interface OverlapState {
  at: string | null;
  seen: string[];
}

interface Cursor {
  v: 2;
  orders: OverlapState;
  /** History rows are append-only: their stream says exactly which state transitions are new. */
  histories: OverlapState;
  slips: OverlapState;
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
    if (c.v === 2 && c.orders && c.histories && c.slips) return { v: 2, orders: c.orders, histories: c.histories, slips: c.slips };
  } catch {
    // fall through: an unreadable cursor restarts from now rather than replaying the shop's history.
  }
  return null;
}

/** Every record of `resource` changed at or after `since` on `field`, paged by keyset. */
async function fetchChangedSince(client: PrestaShopClient, resource: string, field: string, since: string | null, pageSize: number, display = 'full'): Promise<PsRecord[]> {
  const out: PsRecord[] = [];
  let from = since;
  let skip = 0;
  for (;;) {
    const q: Query = { display, date: 1, sort: `[${field}_ASC,id_ASC]`, limit: `${skip},${pageSize}` };
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
  const cursor: Cursor = prev ?? { v: 2, orders: { at: null, seen: [] }, histories: { at: null, seen: [] }, slips: { at: null, seen: [] } };
  // Starting "from now": everything up to the newest change counts as seen, and what is read is the baseline, not news.
  const silent = prev === null && opts.since === 'now';
  if (silent) {
    cursor.orders.at = await newest(client, 'orders', 'date_upd');
    cursor.histories.at = await newest(client, 'order_histories', 'date_add');
    cursor.slips.at = await newest(client, 'order_slip', 'date_add');
  }
  // Every key is `<id>@<shop date>…`: see trimSeen.
  const stream = async (resource: string, field: string, state: OverlapState, keyOf: (r: PsRecord) => string, display?: string) => {
    const r = await pollWithOverlap<PsRecord>({
      cursor: JSON.stringify(state),
      fetchSince: (since) => fetchChangedSince(client, resource, field, since, opts.pageSize, display),
      changedAt: (row) => String(row[field]),
      keyOf,
      minusOverlap: overlap,
    });
    return { items: r.items, state: trimSeen(JSON.parse(r.cursor) as OverlapState, overlap) };
  };
  const orders = await stream('orders', 'date_upd', cursor.orders, orderVersionKey, ORDER_VERSION_FIELDS);
  const histories = await stream('order_histories', 'date_add', cursor.histories, (h) => `${h.id}@${String(h.date_add)}`);
  const slips = await stream('order_slip', 'date_add', cursor.slips, (sl) => `${sl.id}@${String(sl.date_add)}`);
  const next: Cursor = { v: 2, orders: orders.state, histories: histories.state, slips: slips.state };
  if (silent) return { events: [], cursor: JSON.stringify(next) };

  const events: EmittedEvent[] = [];
  // Orders to look at: new versions, and orders with new history rows (a state changed and changed back
  // within one second leaves the order row identical, but never its history).
  const freshHistory = new Set(histories.items.map((h) => Number(h.id)));
  const byId = new Map<number, PsRecord>();
  for (const o of await ordersByIds(client, [...new Set([...orders.items.map((o) => Number(o.id)), ...histories.items.map((h) => Number(h.id_order))])])) byId.set(o.id, o);
  if (byId.size) {
    const all = [...byId.values()].sort((a, b) => String(a.date_upd).localeCompare(String(b.date_upd)) || a.id - b.id);
    const historiesByOrder = await historiesOf(client, all.map((o) => o.id));
    const states = await client.statesFor(all.map((o) => Number(o.current_state)));
    for (const order of all) {
      const hs = historiesByOrder.get(order.id) ?? [];
      events.push(...orderEvents({ connection: ctx.connection.name, order, histories: hs, isNew: (h) => freshHistory.has(h.id), states, timezone: client.settings.timezone }));
    }
  }
  for (const slip of slips.items) events.push(slipEvent(ctx.connection.name, slip, client.settings.timezone));
  return { events, cursor: JSON.stringify(next) };
}

/**
 * Drops the seen keys no future read can return again (their date is before the next window's start).
 * The kit's helper keeps every key it did not re-read, up to 5,000 per stream, which would make the
 * stored cursor hundreds of KB on a busy shop.
 */
function trimSeen(state: OverlapState, overlap: (at: string) => string): OverlapState {
  if (state.at === null) return state;
  const floor = overlap(state.at);
  return { at: state.at, seen: state.seen.filter((k) => (k.split('@')[1] ?? '').slice(0, 19) >= floor) };
}

async function newest(client: PrestaShopClient, resource: string, field: string): Promise<string | null> {
  const [row] = await client.list(resource, { display: `[id,${field}]`, date: 1, sort: `[${field}_DESC,id_DESC]`, limit: 1 });
  return row ? String(row[field]) : null;
}

async function ordersByIds(client: PrestaShopClient, ids: number[]): Promise<PsRecord[]> {
  const out: PsRecord[] = [];
  for (let i = 0; i < ids.length; i += 50) out.push(...(await client.list('orders', { display: 'full', 'filter[id]': `[${ids.slice(i, i + 50).join('|')}]` })));
  return out;
}
