/**
 * Document actions: create (sales order, delivery, return, credit note, purchase request) with the
 * NumAtCard reconcile probe, read with lines, update with If-Match, and the Close/Cancel bound actions.
 */
import { UserError, type OrderflowError } from '../../core/errors.ts';
import type { SapB1Client } from './client.ts';
import { decimalString, toDocument } from './normalise.ts';
import { keyPath, quote, withQuery } from './odata.ts';
import type { CreatedDocument, DocumentEntity, DocumentInput, DocumentStatusOutput, GetDocumentInput, SapDocument, UpdateDocumentInput } from './types.ts';

const CREATED_FIELDS = 'DocEntry,DocNum,DocTotal,VatSum,DocumentStatus,CardCode,NumAtCard';

function toCreated(entity: DocumentEntity, raw: Record<string, unknown>, adopted?: boolean): CreatedDocument {
  const out: CreatedDocument = {
    entity,
    DocEntry: Number(raw.DocEntry),
    DocNum: Number(raw.DocNum),
    DocTotal: decimalString(raw.DocTotal),
    VatSum: decimalString(raw.VatSum),
    DocumentStatus: String(raw.DocumentStatus ?? ''),
    CardCode: typeof raw.CardCode === 'string' ? raw.CardCode : null,
    NumAtCard: typeof raw.NumAtCard === 'string' ? raw.NumAtCard : null,
  };
  if (adopted) out.adopted = true;
  return out;
}

export async function createDocument(client: SapB1Client, entity: DocumentEntity, input: DocumentInput): Promise<CreatedDocument> {
  if (!Array.isArray(input.DocumentLines) || input.DocumentLines.length === 0) {
    throw new UserError('OF_SAP_DOCUMENT_NO_LINES', `${entity}: DocumentLines is empty; map at least one line`);
  }
  const raw = await client.post<Record<string, unknown>>(entity, input);
  if (raw) return toCreated(entity, raw);
  // 204 (for instance an approval turned it into a draft): find what was created, if anything.
  const found = input.NumAtCard ? await findByNumAtCard(client, entity, input.NumAtCard) : undefined;
  if (!found) throw new UserError('OF_SAP_DOCUMENT_NOT_RETURNED', `${entity}: SAP accepted the document but returned nothing (an approval procedure may have made it a draft)`);
  return found;
}

/**
 * The reconcile probe (architecture invariant 2): `<entity>?$filter=NumAtCard eq '…' and Cancelled eq 'tNO'`.
 * Without `Cancelled eq 'tNO'` a cancelled document would count as already created.
 */
export async function findByNumAtCard(client: SapB1Client, entity: DocumentEntity, numAtCard: string): Promise<CreatedDocument | undefined> {
  const path = withQuery(entity, { $filter: `NumAtCard eq ${quote(numAtCard)} and Cancelled eq 'tNO'`, $select: CREATED_FIELDS, $orderby: 'DocEntry asc', $top: 2 });
  const page = await client.getPage<Record<string, unknown>>(path);
  const first = page.value[0];
  return first ? toCreated(entity, first, true) : undefined;
}

export function requireNumAtCard(entity: DocumentEntity, input: DocumentInput): void {
  if (typeof input.NumAtCard !== 'string' || input.NumAtCard.trim() === '') {
    throw new UserError('OF_SAP_DOCUMENT_NO_REFERENCE', `${entity}: NumAtCard (the shop order reference) is required; it is how a retried write finds the document it may already have created`);
  }
}

export async function getDocument(client: SapB1Client, input: GetDocumentInput): Promise<SapDocument | null> {
  try {
    const { value, etag } = await client.getWithEtag<Record<string, unknown>>(keyPath(input.entity, input.docEntry));
    return toDocument(input.entity, value, etag);
  } catch (e) {
    if ((e as OrderflowError).code === 'OF_SAP_NOT_FOUND') return null;
    throw e;
  }
}

/** PATCH with If-Match; reads the document first when no ETag is given, so a concurrent change fails with 412. */
export async function updateDocument(client: SapB1Client, input: UpdateDocumentInput): Promise<SapDocument> {
  const path = keyPath(input.entity, input.docEntry);
  const etag = input.etag ?? (await client.getWithEtag<Record<string, unknown>>(path)).etag;
  await client.patch(path, input.changes, { etag });
  const doc = await getDocument(client, { entity: input.entity, docEntry: input.docEntry });
  if (!doc) throw new UserError('OF_SAP_NOT_FOUND', `${input.entity}(${input.docEntry}) disappeared right after its update`);
  return doc;
}

export async function orderAction(client: SapB1Client, docEntry: number, action: 'Close' | 'Cancel'): Promise<DocumentStatusOutput> {
  await client.action(`${keyPath('Orders', docEntry)}/${action}`);
  return orderStatus(client, docEntry);
}

export async function orderStatus(client: SapB1Client, docEntry: number): Promise<DocumentStatusOutput> {
  const raw = await client.get<Record<string, unknown>>(withQuery(keyPath('Orders', docEntry), { $select: 'DocEntry,DocumentStatus,Cancelled' }));
  return { DocEntry: Number(raw.DocEntry), DocumentStatus: String(raw.DocumentStatus), Cancelled: raw.Cancelled === 'tYES' };
}
