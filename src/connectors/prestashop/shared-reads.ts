/**
 * Reads that many runs make at the same moment, merged per connection (see kit/coalesce.ts): objects by
 * id (`filter[id]=[3|8|12]`) and the rows of many orders (`filter[id_order]=[…]`), one webservice call per
 * batch instead of one per run. Each shop request is a PHP worker of the shop busy for it; a busy shop
 * is spared most of them.
 *
 * One batch of each kind is out at a time per 8 of the connection's `concurrency` (at least one); while
 * it is, further reads of that kind queue and share the next call, so the writes keep the other requests.
 * `shareReads: false` in the connection's settings reads one by one, as single reads.
 */
import { batchesInFlight, Coalescer, type SharedReadStats } from '../kit/index.ts';
import { DEFAULT_CONCURRENCY, type PrestaShopClient } from './client.ts';
import type { PsRecord } from './types.ts';

/** Ids per call: keeps the URL short (PrestaShop has no limit of its own on `filter[id]`). */
const IDS_PER_CALL = 50;

const POSITIVE_ID = /^[1-9]\d{0,18}$/;

interface Readers {
  byId: Map<string, Coalescer<string, PsRecord | undefined>>;
  byOrder: Map<string, Coalescer<string, PsRecord[]>>;
}

const readers = new WeakMap<PrestaShopClient, Readers>();

function readersOf(client: PrestaShopClient): Readers {
  let r = readers.get(client);
  if (!r) {
    r = { byId: new Map(), byOrder: new Map() };
    readers.set(client, r);
  }
  return r;
}

/**
 * One object of `resource` (all fields), or undefined when it does not exist: `client.get`, shared with
 * the runs that ask for the same resource at the same moment. An id found by no batch is read alone, so
 * "does not exist" is always the shop's own 404.
 */
export function getShared(client: PrestaShopClient, resource: string, id: number | string): Promise<PsRecord | undefined> {
  const key = String(id);
  // Only plain ids go into a filter; anything else takes the single read (and its error) as before.
  if (!POSITIVE_ID.test(key) || client.settings.shareReads === false) return client.get(resource, key);
  const all = readersOf(client).byId;
  let c = all.get(resource);
  if (!c) {
    c = new Coalescer<string, PsRecord | undefined>({
      fetchMany: async (ids) => {
        const rows = await client.list(resource, { display: 'full', 'filter[id]': `[${ids.join('|')}]` });
        return new Map(rows.map((row) => [String(row.id), row]));
      },
      fetchOne: (one) => client.get(resource, one),
      maxBatch: IDS_PER_CALL,
      maxInFlight: batchesInFlight(client.settings.concurrency ?? DEFAULT_CONCURRENCY),
    });
    all.set(resource, c);
  }
  return c.load(key);
}

/**
 * The rows of `resource` whose `id_order` is `orderId`, sorted by id (`order_details` of one order): the
 * rows of the orders asked for at the same moment come in one list.
 */
export function listOfOrderShared(client: PrestaShopClient, resource: string, orderId: number): Promise<PsRecord[]> {
  const key = String(orderId);
  const one = (id: string) => client.list(resource, { display: 'full', 'filter[id_order]': `[${id}]`, sort: '[id_ASC]' });
  if (!POSITIVE_ID.test(key) || client.settings.shareReads === false) return one(key);
  const all = readersOf(client).byOrder;
  let c = all.get(resource);
  if (!c) {
    c = new Coalescer<string, PsRecord[]>({
      fetchMany: async (ids) => {
        const rows = await client.list(resource, { display: 'full', 'filter[id_order]': `[${ids.join('|')}]`, sort: '[id_ASC]' });
        const byOrder = new Map<string, PsRecord[]>(ids.map((id) => [id, []]));
        for (const row of rows) byOrder.get(String(row.id_order))?.push(row);
        return byOrder;
      },
      fetchOne: one,
      maxBatch: IDS_PER_CALL,
      maxInFlight: batchesInFlight(client.settings.concurrency ?? DEFAULT_CONCURRENCY),
    });
    all.set(resource, c);
  }
  return c.load(key);
}

/** What the shared reads of this client asked for and sent, by resource (`order_details by order`). */
export function sharedReadStats(client: PrestaShopClient): SharedReadStats[] {
  const r = readers.get(client);
  if (!r) return [];
  return [
    ...[...r.byId].map(([resource, c]) => ({ kind: resource, ...c.stats })),
    ...[...r.byOrder].map(([resource, c]) => ({ kind: `${resource} by order`, ...c.stats })),
  ];
}
