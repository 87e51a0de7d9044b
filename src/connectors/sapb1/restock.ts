/**
 * Restocking: one purchase request per item and day. Each request's NumAtCard is derived from the item
 * and the date (`RESTOCK-A00025-2026-11-27`), so the request for an item on a day is found before it is
 * created again: a second order of the same item that day, a retried step or a replayed run add nothing.
 */
import { UserError } from '../../core/errors.ts';
import type { SapB1Client } from './client.ts';
import { createDocument } from './documents.ts';
import { quote, withQuery } from './odata.ts';
import type { CreatedDocument } from './types.ts';

export interface RestockLine {
  ItemCode: string;
  Quantity: number | string;
  WarehouseCode?: string;
}

export interface RequestRestockInput {
  items: RestockLine[];
  /** The day the requests count for, `YYYY-MM-DD` (default: today, UTC). */
  date?: string;
  /** NumAtCard prefix (default `RESTOCK`). */
  prefix?: string;
  /** Date the goods are wanted by (default: `date`). */
  requiredDate?: string;
}

export interface RequestRestockOutput {
  created: Array<{ ItemCode: string; NumAtCard: string; DocEntry: number; DocNum: number }>;
  existing: Array<{ ItemCode: string; NumAtCard: string; DocEntry: number; DocNum: number }>;
}

/** Item codes per lookup query: keeps the URL short (each clause is ~40 characters). */
const REFS_PER_QUERY = 40;

export function restockReference(prefix: string, itemCode: string, date: string): string {
  return `${prefix}-${itemCode}-${date}`;
}

export async function requestRestock(client: SapB1Client, input: RequestRestockInput): Promise<RequestRestockOutput> {
  const date = input.date ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new UserError('OF_SAP_RESTOCK_BAD_DATE', `requestRestock: date '${date}' is not YYYY-MM-DD; map a date like "2026-11-27" or leave it out for today`);
  const prefix = input.prefix ?? 'RESTOCK';
  const wanted = new Map<string, RestockLine>();
  // JSONata gives a one-item list as the item itself; accept both.
  const items: RestockLine[] = Array.isArray(input.items) ? input.items : input.items ? [input.items as RestockLine] : [];
  for (const item of items) if (item.ItemCode && !wanted.has(item.ItemCode)) wanted.set(item.ItemCode, item);
  const out: RequestRestockOutput = { created: [], existing: [] };
  if (wanted.size === 0) return out;

  const refOf = (code: string) => restockReference(prefix, code, date);
  const found = new Map<string, { DocEntry: number; DocNum: number }>();
  const codes = [...wanted.keys()];
  for (let i = 0; i < codes.length; i += REFS_PER_QUERY) {
    const refs = codes.slice(i, i + REFS_PER_QUERY).map(refOf);
    const filter = `(${refs.map((r) => `NumAtCard eq ${quote(r)}`).join(' or ')}) and Cancelled eq 'tNO'`;
    const page = await client.getPage<Record<string, unknown>>(withQuery('PurchaseRequests', { $filter: filter, $select: 'DocEntry,DocNum,NumAtCard' }), { prefer: `odata.maxpagesize=${REFS_PER_QUERY * 2}` });
    for (const row of page.value) found.set(String(row.NumAtCard), { DocEntry: Number(row.DocEntry), DocNum: Number(row.DocNum) });
  }
  for (const [code, line] of wanted) {
    const ref = refOf(code);
    const have = found.get(ref);
    if (have) {
      out.existing.push({ ItemCode: code, NumAtCard: ref, ...have });
      continue;
    }
    const doc: CreatedDocument = await createDocument(client, 'PurchaseRequests', {
      NumAtCard: ref,
      RequriedDate: input.requiredDate ?? date,
      Comments: `Restocking ${code} (${date})`,
      DocumentLines: [{ ItemCode: code, Quantity: Number(line.Quantity), ...(line.WarehouseCode ? { WarehouseCode: line.WarehouseCode } : {}) }],
    });
    out.created.push({ ItemCode: code, NumAtCard: ref, DocEntry: doc.DocEntry, DocNum: doc.DocNum });
  }
  return out;
}
