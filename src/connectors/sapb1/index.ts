/**
 * The `sapb1` connector: SAP Business One through its Service Layer (v1 OData 3 or v2 OData 4).
 * Settings: `{ baseUrl, companyDb, username, password, version?, concurrency? (8), timeoutMs?, xrefField? }`.
 * Every write action declares its reconcile probe, run before an ambiguous write is retried.
 */
import { defineConnector } from '../kit/index.ts';
import { sapb1Actions } from './actions.ts';
import { pollDocuments, type DocumentsTriggerOptions } from './changes.ts';
import { parseSettings, SapB1Client } from './client.ts';
import { sharedReadStats } from './inventory.ts';

export * from './types.ts';
export { SapB1Client, parseSettings, serviceRoot } from './client.ts';
export { sapb1Actions } from './actions.ts';
export type { DocumentsTriggerOptions } from './changes.ts';
export type { BatchItem, BatchRequest, BatchResult } from './batch.ts';

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
  sharedReads: sharedReadStats,
  actions: sapb1Actions,
  triggers: {
    documents: {
      kind: 'polling',
      description: 'Changed documents as events: order.created, order.updated, delivery.created, …',
      defaultIntervalMs: 30_000,
      poll: (ctx, cursor) => pollDocuments(ctx.client, ctx.connection.name, ctx.options as DocumentsTriggerOptions, cursor),
    },
  },
});
