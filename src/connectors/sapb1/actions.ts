/** The sapb1 connector's actions, typed: the order flow calls them by these names. */
import type { ActionDefinition } from '../kit/index.ts';
import type { SapB1Client } from './client.ts';
import { createCustomer, findCustomer, reconcileCustomer } from './customers.ts';
import { listChangedDocuments } from './changes.ts';
import { createDocument, findByNumAtCard, getDocument, orderAction, orderStatus, requireNumAtCard, updateDocument } from './documents.ts';
import { getCreditPosition, getItemsStock } from './inventory.ts';
import { requestRestock, type RequestRestockInput, type RequestRestockOutput } from './restock.ts';
import type {
  BusinessPartner, CreateCustomerInput, CreatedDocument, CreditPosition, CreditPositionInput, DocumentEntity, DocumentInput, DocumentRefInput,
  DocumentStatusOutput, FindCustomerInput, GetDocumentInput, ItemsStockInput, ItemsStockOutput, ListChangedInput, ListChangedOutput, SapDocument,
  UpdateDocumentInput,
} from './types.ts';

type Action<I, O> = ActionDefinition<SapB1Client, I, O>;

/** Declares one action with its input and output types checked. */
const action = <I, O>(def: Action<I, O>): Action<I, O> => def;

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

export const sapb1Actions = {
  findCustomer: action<FindCustomerInput, BusinessPartner | null>({ description: 'Find a customer by CardCode, cross-reference or email (null when none)', write: false, run: ({ client }, input) => findCustomer(client, input) }),
  createCustomer: action<CreateCustomerInput, BusinessPartner>({
    description: 'Create a customer (business partner) with bill-to and ship-to addresses',
    write: true,
    run: ({ client }, input) => createCustomer(client, input),
    reconcile: ({ client }, input) => reconcileCustomer(client, input),
  }),
  getItemsStock: action<ItemsStockInput, ItemsStockOutput>({ description: 'InStock, Committed, Ordered, MinimalStock of many items in one warehouse, in one call', write: false, run: ({ client }, input) => getItemsStock(client, input) }),
  getCreditPosition: action<CreditPositionInput, CreditPosition>({ description: "A customer's credit limit, balance, open orders and frozen flag", write: false, run: ({ client }, input) => getCreditPosition(client, input) }),
  createSalesOrder: createAction('Orders', 'Create a sales order; NumAtCard carries the shop order reference', true),
  createDelivery: createAction('DeliveryNotes', 'Create a delivery, usually from order lines (BaseType 17)', false),
  createReturn: createAction('Returns', 'Create a return, usually from delivery lines (BaseType 15)', false),
  createCreditNote: createAction('CreditNotes', 'Create a credit note, from a return (16) or an invoice (13)', false),
  createPurchaseRequest: createAction('PurchaseRequests', 'Create a purchase request (restocking)', false),
  requestRestock: action<RequestRestockInput, RequestRestockOutput>({
    description: 'One purchase request per item and day (NumAtCard PREFIX-ITEM-DATE), created only when that day has none yet',
    write: true,
    run: ({ client }, input) => requestRestock(client, input),
    // The write looks its requests up before creating any, so running it again is the probe: nothing to adopt here.
    reconcile: async () => undefined,
  }),
  getDocument: action<GetDocumentInput, SapDocument | null>({ description: 'Read a document with its lines (null when it does not exist)', write: false, run: ({ client }, input) => getDocument(client, input) }),
  updateDocument: action<UpdateDocumentInput, SapDocument>({ description: 'Update a document with If-Match (optimistic concurrency)', write: true, run: ({ client }, input) => updateDocument(client, input) }),
  listChangedDocuments: action<ListChangedInput, ListChangedOutput>({ description: 'Documents changed since a cursor (UpdateDate + UpdateTime, overlap window, deduped)', write: false, run: ({ client }, input) => listChangedDocuments(client, input) }),
  cancelOrder: orderActionDef('Cancel'),
  closeOrder: orderActionDef('Close'),
  };
