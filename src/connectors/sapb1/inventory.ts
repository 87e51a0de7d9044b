/** Stock of many items in one call, and a customer's credit position. */
import { subMoney } from '../../core/money.ts';
import { UserError } from '../../core/errors.ts';
import { batchesInFlight, Coalescer, type SharedReadStats } from '../kit/index.ts';
import type { BatchRequest } from './batch.ts';
import { DEFAULT_CONCURRENCY, type SapB1Client } from './client.ts';
import { mapSapError } from './errors.ts';
import { decimalString } from './normalise.ts';
import { keyPath, quote, withQuery } from './odata.ts';
import type { CreditPosition, CreditPositionInput, ItemsStockInput, ItemsStockOutput, ItemStock } from './types.ts';

/** Item codes per GET: keeps the URL well under the 8 KB Apache limit in front of SL. */
const CODES_PER_QUERY = 40;

interface RawItem {
  ItemCode: string;
  ItemWarehouseInfoCollection?: Array<Record<string, unknown>>;
}

function itemsQuery(codes: string[]): string {
  return withQuery('Items', {
    $filter: codes.map((c) => `ItemCode eq ${quote(c)}`).join(' or '),
    $select: 'ItemCode,ItemWarehouseInfoCollection',
  });
}

/**
 * The items' rows (undefined: no such item), every code once, in as few calls as the URL limit allows.
 * An answer cut into pages (a Service Layer that did not apply the page size asked for; documented to
 * apply it) is not taken for "these items do not exist": the codes it left out are asked for again.
 */
async function fetchItems(client: SapB1Client, codes: string[]): Promise<Map<string, RawItem | undefined>> {
  const chunks: string[][] = [];
  for (let i = 0; i < codes.length; i += CODES_PER_QUERY) chunks.push(codes.slice(i, i + CODES_PER_QUERY));
  const prefer = { prefer: `odata.maxpagesize=${CODES_PER_QUERY}` };
  let rows: RawItem[];
  let paged: boolean;
  if (chunks.length === 1) {
    const page = await client.getPage<RawItem>(itemsQuery(chunks[0]!), prefer);
    rows = page.value;
    paged = page.nextLink !== undefined;
  } else {
    const parts: BatchRequest[] = chunks.map((c) => ({ method: 'GET', path: itemsQuery(c), headers: { Prefer: `odata.maxpagesize=${CODES_PER_QUERY}` } }));
    const results = await client.batch(parts);
    rows = [];
    paged = false;
    for (const r of results) {
      if (r.status !== 200) {
        const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? '');
        throw mapSapError({ status: r.status, headers: r.headers, text: () => text }, { connection: client.connection, method: 'GET', path: 'Items', write: false });
      }
      const body = r.body as { value?: RawItem[]; 'odata.nextLink'?: string; '@odata.nextLink'?: string };
      rows.push(...(body.value ?? []));
      paged ||= (body['odata.nextLink'] ?? body['@odata.nextLink']) !== undefined;
    }
  }
  const byCode = new Map<string, RawItem | undefined>(codes.map((c) => [c, undefined]));
  for (const r of rows) byCode.set(r.ItemCode, r);
  const left = codes.filter((c) => byCode.get(c) === undefined);
  // Only while a round finds some of its codes: the rounds get shorter, so this ends.
  if (paged && left.length > 0 && left.length < codes.length) for (const [code, row] of await fetchItems(client, left)) byCode.set(code, row);
  return byCode;
}

const CREDIT_FIELDS = 'CardCode,CreditLimit,CurrentAccountBalance,OpenOrdersBalance,Frozen,Valid';

/** One business partner's credit fields (a 404 for an unknown CardCode). */
function readCredit(client: SapB1Client, cardCode: string): Promise<Record<string, unknown>> {
  return client.get<Record<string, unknown>>(withQuery(keyPath('BusinessPartners', cardCode), { $select: CREDIT_FIELDS }));
}

/**
 * The reads that many runs make at the same moment, merged per connection (see kit/coalesce.ts): item
 * stock by code (the codes of several orders in one `$filter`), credit by CardCode (several customers in
 * one `$filter`). One batch of each kind is out at a time per 8 of the connection's `concurrency` (at
 * least one); while it is, further reads of that kind queue and share the next call, so the Sales Orders
 * keep the other calls. `shareReads: false` in the connection's settings reads one order at a time.
 */
interface Readers {
  items: Coalescer<string, RawItem | undefined>;
  partners: Coalescer<string, Record<string, unknown>>;
}

const readers = new WeakMap<SapB1Client, Readers>();

function readersOf(client: SapB1Client): Readers {
  let r = readers.get(client);
  if (!r) {
    const maxInFlight = batchesInFlight(client.settings.concurrency ?? DEFAULT_CONCURRENCY);
    r = {
      items: new Coalescer<string, RawItem | undefined>({
        fetchMany: (codes) => fetchItems(client, codes),
        fetchOne: async (code) => (await fetchItems(client, [code])).get(code),
        maxBatch: CODES_PER_QUERY * 4,
        maxInFlight,
      }),
      partners: new Coalescer<string, Record<string, unknown>>({
        fetchMany: async (cardCodes) => {
          const query = withQuery('BusinessPartners', { $filter: cardCodes.map((c) => `CardCode eq ${quote(c)}`).join(' or '), $select: CREDIT_FIELDS });
          const page = await client.getPage<Record<string, unknown>>(query, { prefer: `odata.maxpagesize=${CODES_PER_QUERY}` });
          // An exact match only: a code the Service Layer matched another way (its collation may ignore case) is read alone.
          return new Map(page.value.map((bp) => [String(bp.CardCode), bp]));
        },
        fetchOne: (cardCode) => readCredit(client, cardCode),
        maxBatch: CODES_PER_QUERY,
        maxInFlight,
      }),
    };
    readers.set(client, r);
  }
  return r;
}

/** What the shared reads of this client asked for and sent: `stock` (item codes), `credit` (CardCodes). */
export function sharedReadStats(client: SapB1Client): SharedReadStats[] {
  const r = readers.get(client);
  return r ? [{ kind: 'stock', ...r.items.stats }, { kind: 'credit', ...r.partners.stats }] : [];
}

/**
 * Reads InStock, Committed, Ordered and MinimalStock of every code in one warehouse with ONE HTTP call:
 * a single GET for up to 40 codes, otherwise one `$batch` of GETs. Orders read at the same moment share
 * that call.
 */
export async function getItemsStock(client: SapB1Client, input: ItemsStockInput): Promise<ItemsStockOutput> {
  if (!input.warehouse) throw new UserError('OF_SAP_STOCK_NO_WAREHOUSE', 'getItemsStock needs a warehouse code (e.g. "01")');
  const codes = [...new Set(input.itemCodes)];
  if (codes.length === 0) return { items: [], missing: [] };
  let rows: Array<RawItem | undefined>;
  if (client.settings.shareReads === false) {
    const byCode = await fetchItems(client, codes);
    rows = codes.map((c) => byCode.get(c));
  } else {
    const reader = readersOf(client).items;
    rows = await Promise.all(codes.map((c) => reader.load(c)));
  }
  const items: ItemStock[] = [];
  const missing: string[] = [];
  codes.forEach((code, i) => {
    const wh = rows[i]?.ItemWarehouseInfoCollection?.find((w) => w.WarehouseCode === input.warehouse);
    if (!wh) {
      missing.push(code);
      return;
    }
    const inStock = decimalString(wh.InStock);
    const committed = decimalString(wh.Committed);
    items.push({
      ItemCode: code,
      WarehouseCode: input.warehouse,
      InStock: inStock,
      Committed: committed,
      Ordered: decimalString(wh.Ordered),
      MinimalStock: decimalString(wh.MinimalStock),
      Available: subMoney(inStock, committed),
    });
  });
  return { items, missing };
}

/** A customer's credit position; customers read at the same moment share one call. */
export async function getCreditPosition(client: SapB1Client, input: CreditPositionInput): Promise<CreditPosition> {
  const raw = client.settings.shareReads === false ? await readCredit(client, input.cardCode) : await readersOf(client).partners.load(input.cardCode);
  const limit = decimalString(raw.CreditLimit);
  const balance = decimalString(raw.CurrentAccountBalance);
  const open = decimalString(raw.OpenOrdersBalance);
  return {
    CardCode: String(raw.CardCode),
    CreditLimit: limit,
    CurrentAccountBalance: balance,
    OpenOrdersBalance: open,
    Available: subMoney(subMoney(limit, balance), open),
    Frozen: raw.Frozen === 'tYES' || raw.Valid === 'tNO',
  };
}
