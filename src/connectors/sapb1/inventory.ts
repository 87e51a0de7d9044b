/** Stock of many items in one call, and a customer's credit position. */
import { subMoney } from '../../core/money.ts';
import { UserError } from '../../core/errors.ts';
import type { BatchRequest } from './batch.ts';
import type { SapB1Client } from './client.ts';
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
 * Reads InStock, Committed, Ordered and MinimalStock of every code in one warehouse with ONE HTTP call:
 * a single GET for up to 40 codes, otherwise one `$batch` of GETs.
 */
export async function getItemsStock(client: SapB1Client, input: ItemsStockInput): Promise<ItemsStockOutput> {
  if (!input.warehouse) throw new UserError('OF_SAP_STOCK_NO_WAREHOUSE', 'getItemsStock needs a warehouse code (e.g. "01")');
  const codes = [...new Set(input.itemCodes)];
  if (codes.length === 0) return { items: [], missing: [] };
  const chunks: string[][] = [];
  for (let i = 0; i < codes.length; i += CODES_PER_QUERY) chunks.push(codes.slice(i, i + CODES_PER_QUERY));
  const prefer = { prefer: `odata.maxpagesize=${CODES_PER_QUERY}` };
  let rows: RawItem[];
  if (chunks.length === 1) {
    rows = (await client.getPage<RawItem>(itemsQuery(chunks[0]!), prefer)).value;
  } else {
    const parts: BatchRequest[] = chunks.map((c) => ({ method: 'GET', path: itemsQuery(c), headers: { Prefer: `odata.maxpagesize=${CODES_PER_QUERY}` } }));
    const results = await client.batch(parts);
    rows = [];
    for (const r of results) {
      if (r.status !== 200) {
        const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? '');
        throw mapSapError({ status: r.status, headers: r.headers, text: () => text }, { connection: client.connection, method: 'GET', path: 'Items', write: false });
      }
      rows.push(...((r.body as { value?: RawItem[] }).value ?? []));
    }
  }
  const byCode = new Map(rows.map((r) => [r.ItemCode, r]));
  const items: ItemStock[] = [];
  const missing: string[] = [];
  for (const code of codes) {
    const wh = byCode.get(code)?.ItemWarehouseInfoCollection?.find((w) => w.WarehouseCode === input.warehouse);
    if (!wh) {
      missing.push(code);
      continue;
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
  }
  return { items, missing };
}

export async function getCreditPosition(client: SapB1Client, input: CreditPositionInput): Promise<CreditPosition> {
  const raw = await client.get<Record<string, unknown>>(
    withQuery(keyPath('BusinessPartners', input.cardCode), { $select: 'CardCode,CreditLimit,CurrentAccountBalance,OpenOrdersBalance,Frozen,Valid' }),
  );
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
