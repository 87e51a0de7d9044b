/**
 * The `sapb1` connector: SAP Business One through its Service Layer (v1 OData 3 or v2 OData 4).
 * Settings: `{ baseUrl, companyDb, username, password, version?, concurrency? (8), timeoutMs?, xrefField? }`.
 * Every write action declares its reconcile probe, run before an ambiguous write is retried.
 */
import { defineConnector, type ActionDefinition } from '../kit/index.ts';
import { parseSettings, SapB1Client } from './client.ts';
import { createCustomer, findCustomer, reconcileCustomer } from './customers.ts';
import { pollDocuments, listChangedDocuments, type DocumentsTriggerOptions } from './changes.ts';
import { createDocument, findByNumAtCard, getDocument, orderAction, orderStatus, requireNumAtCard, updateDocument } from './documents.ts';
import { getCreditPosition, getItemsStock } from './inventory.ts';
import type { CreatedDocument, DocumentEntity, DocumentInput, DocumentRefInput, DocumentStatusOutput } from './types.ts';

export * from './types.ts';
export { SapB1Client, parseSettings, serviceRoot } from './client.ts';
export type { BatchItem, BatchRequest, BatchResult } from './batch.ts';

type Action<I, O> = ActionDefinition<SapB1Client, I, O>;

/** A document-creating action. `strictReference`: NumAtCard is required (sales orders). */
function createAction(entity: DocumentEntity, description: string, strictReference: boolean): Action<DocumentInput, CreatedDocument> {
  return {
    description,
    write: true,
    async run({ client }, input) {
      if (strictReference) requireNumAtCard(entity, input);
      return createDocument(client, entity, input);
    },
    // Without a NumAtCard there is nothing to find the document by: the write is then retried as is.
    async reconcile({ client }, input) {
      return input.NumAtCard ? findByNumAtCard(client, entity, input.NumAtCard) : undefined;
    },
  };
}

function orderActionDef(action: 'Close' | 'Cancel'): Action<DocumentRefInput, DocumentStatusOutput> {
  return {
    description: `${action} a sales order (POST Orders(n)/${action})`,
    write: true,
    run: ({ client }, input) => orderAction(client, input.docEntry, action),
    async reconcile({ client }, input) {
      const s = await orderStatus(client, input.docEntry);
      const done = action === 'Cancel' ? s.Cancelled : s.DocumentStatus === 'bost_Close';
      return done ? s : undefined;
    },
  };
}

export const sapb1Connector = defineConnector<SapB1Client>({
  name: 'sapb1',
  description: 'SAP Business One Service Layer (REST/OData): customers, stock, credit, sales orders, deliveries, returns, credit notes',
  createClient: (connection, kit) => new SapB1Client(parseSettings(connection.settings, connection.name), kit, connection.name),
  async close(client) {
    try {
      await client.logout();
    } finally {
      client.close();
    }
  },
  actions: {
    findCustomer: { description: 'Find a customer by CardCode, cross-reference or email (null when none)', write: false, run: ({ client }, input) => findCustomer(client, input) },
    createCustomer: {
      description: 'Create a customer (business partner) with bill-to and ship-to addresses',
      write: true,
      run: ({ client }, input) => createCustomer(client, input),
      reconcile: ({ client }, input) => reconcileCustomer(client, input),
    },
    getItemsStock: { description: 'InStock, Committed, Ordered, MinimalStock of many items in one warehouse, in one call', write: false, run: ({ client }, input) => getItemsStock(client, input) },
    getCreditPosition: { description: "A customer's credit limit, balance, open orders and frozen flag", write: false, run: ({ client }, input) => getCreditPosition(client, input) },
    createSalesOrder: createAction('Orders', 'Create a sales order; NumAtCard carries the shop order reference', true),
    createDelivery: createAction('DeliveryNotes', 'Create a delivery, usually from order lines (BaseType 17)', false),
    createReturn: createAction('Returns', 'Create a return, usually from delivery lines (BaseType 15)', false),
    createCreditNote: createAction('CreditNotes', 'Create a credit note, from a return (16) or an invoice (13)', false),
    createPurchaseRequest: createAction('PurchaseRequests', 'Create a purchase request (restocking)', false),
    getDocument: { description: 'Read a document with its lines (null when it does not exist)', write: false, run: ({ client }, input) => getDocument(client, input) },
    updateDocument: { description: 'Update a document with If-Match (optimistic concurrency)', write: true, run: ({ client }, input) => updateDocument(client, input) },
    listChangedDocuments: { description: 'Documents changed since a cursor (UpdateDate + UpdateTime, overlap window, deduped)', write: false, run: ({ client }, input) => listChangedDocuments(client, input) },
    cancelOrder: orderActionDef('Cancel'),
    closeOrder: orderActionDef('Close'),
  },
  triggers: {
    documents: {
      kind: 'polling',
      description: 'Changed documents as events: order.created, order.updated, delivery.created, …',
      defaultIntervalMs: 30_000,
      poll: (ctx, cursor) => pollDocuments(ctx.client, ctx.connection.name, ctx.options as DocumentsTriggerOptions, cursor),
    },
  },
});
