/**
 * Change detection by polling (spec §7): `$filter=UpdateDate ge 'YYYY-MM-DD'` works at day granularity, so
 * every read covers the cursor's whole day (minus an overlap window), rows older than the cursor are dropped
 * here, and the kit's overlap helper dedupes what two reads see twice. A document's version is its
 * UpdateDate + UpdateTime; SAP keeps these to the second, so two changes of one document within the same
 * second are one version.
 */
import { pollWithOverlap, type EmittedEvent, type PollResult } from '../kit/index.ts';
import type { SapB1Client } from './client.ts';
import { changedAt, toDocument } from './normalise.ts';
import { quote, withQuery } from './odata.ts';
import { DOCUMENT_ENTITIES, type ChangedDocument, type DocumentEntity, type ListChangedInput, type ListChangedOutput } from './types.ts';

type Raw = Record<string, unknown>;

/** `YYYY-MM-DDTHH:MM:SS` minus `seconds`, in the same format (SAP's clock, treated as a plain calendar time). */
export function minusSeconds(at: string, seconds: number): string {
  const t = Date.parse(`${at.length === 10 ? `${at}T00:00:00` : at}Z`);
  return new Date(t - seconds * 1000).toISOString().slice(0, 19);
}

async function readSince(client: SapB1Client, entity: DocumentEntity, since: string | null): Promise<Raw[]> {
  const query: Record<string, string> = { $orderby: 'UpdateDate asc,UpdateTime asc,DocEntry asc' };
  if (since) query.$filter = `UpdateDate ge ${quote(since.slice(0, 10))}`;
  const rows = await client.getAll<Raw>(withQuery(entity, query), { pageSize: 100 });
  return since ? rows.filter((r) => changedAt(r) >= since) : rows;
}

export async function listChangedDocuments(client: SapB1Client, input: ListChangedInput): Promise<ListChangedOutput> {
  const overlap = input.overlapSeconds ?? 5;
  const cursor = input.cursor ?? (input.since ? JSON.stringify({ at: input.since.length === 10 ? `${input.since}T00:00:00` : input.since, seen: [] }) : null);
  const result = await pollWithOverlap<Raw>({
    cursor,
    fetchSince: (since) => readSince(client, input.entity, since),
    changedAt,
    keyOf: (r) => `${String(r.DocEntry)}@${changedAt(r)}`,
    minusOverlap: (at) => minusSeconds(at, overlap),
  });
  const documents: ChangedDocument[] = result.items.map((r) => ({
    DocEntry: Number(r.DocEntry),
    DocNum: Number(r.DocNum),
    changedAt: changedAt(r),
    created: typeof r.CreationDate === 'string' && r.CreationDate.slice(0, 10) === changedAt(r).slice(0, 10),
    document: toDocument(input.entity, r),
  }));
  return { documents, cursor: result.cursor };
}

const NOUNS: Record<DocumentEntity, string> = {
  Orders: 'order',
  DeliveryNotes: 'delivery',
  Invoices: 'invoice',
  Returns: 'return',
  CreditNotes: 'credit_note',
  PurchaseRequests: 'purchase_request',
};

interface TriggerCursor {
  /** Per entity: the overlap cursor of the kit's helper. */
  entities: Partial<Record<DocumentEntity, string>>;
  /** Per entity: DocEntries already announced as created (bounded), so a later change is an update. */
  created: Partial<Record<DocumentEntity, number[]>>;
}

function parseTriggerCursor(c: string | null): TriggerCursor | null {
  if (!c) return null;
  try {
    const p = JSON.parse(c) as Partial<TriggerCursor>;
    return { entities: p.entities ?? {}, created: p.created ?? {} };
  } catch {
    return null;
  }
}

/** The newest version present now: where a first poll starts when it must not replay history. */
async function newestChange(client: SapB1Client, entity: DocumentEntity): Promise<string | null> {
  const page = await client.getPage<Raw>(withQuery(entity, { $orderby: 'UpdateDate desc,UpdateTime desc', $top: 1, $select: 'DocEntry,UpdateDate,UpdateTime' }));
  const first = page.value[0];
  return first ? changedAt(first) : null;
}

export interface DocumentsTriggerOptions {
  entities?: DocumentEntity[];
  overlapSeconds?: number;
  /** `now` (default): start after what exists; `beginning`: replay everything; or a date `YYYY-MM-DD`. */
  since?: string;
}

/**
 * Polls changed documents and emits `<noun>.created` (first sight of a document created the day it
 * changed) or `<noun>.updated`, e.g. `delivery.created`, `order.updated`. Entity key `<connection>:<noun>:<DocEntry>`,
 * version `YYYY-MM-DDTHH:MM:SS`.
 */
export async function pollDocuments(client: SapB1Client, connection: string, options: DocumentsTriggerOptions, cursorText: string | null): Promise<PollResult> {
  const entities = (options.entities ?? ['Orders', 'DeliveryNotes', 'Invoices', 'Returns', 'CreditNotes']).filter((e) => DOCUMENT_ENTITIES.includes(e));
  const state = parseTriggerCursor(cursorText) ?? { entities: {}, created: {} };
  const events: EmittedEvent[] = [];
  for (const entity of entities) {
    let cursor = state.entities[entity] ?? null;
    const first = cursor === null;
    if (first && (options.since ?? 'now') === 'now') {
      const at = await newestChange(client, entity);
      cursor = at ? JSON.stringify({ at, seen: [] }) : null;
    }
    const since = first && options.since && options.since !== 'now' && options.since !== 'beginning' ? options.since : undefined;
    const res = await listChangedDocuments(client, { entity, cursor, overlapSeconds: options.overlapSeconds, since });
    state.entities[entity] = res.cursor;
    // On a first poll that starts "now", the rows at the newest second are history, not news.
    if (first && (options.since ?? 'now') === 'now') continue;
    const created = new Set(state.created[entity] ?? []);
    const noun = NOUNS[entity];
    for (const d of res.documents) {
      const isNew = d.created && !created.has(d.DocEntry);
      if (isNew) created.add(d.DocEntry);
      events.push({
        type: `${noun}.${isNew ? 'created' : 'updated'}`,
        dedupeKey: `${connection}:${noun}:${d.DocEntry}:${d.changedAt}`,
        entityKey: `${connection}:${noun}:${d.DocEntry}`,
        version: d.changedAt,
        payload: d.document,
        occurredAt: d.changedAt,
      });
    }
    state.created[entity] = [...created].slice(-5000);
  }
  return { events, cursor: JSON.stringify(state) };
}
