/**
 * The generic `http` connector: calls any REST endpoint (action `request`) and receives signed webhooks
 * (trigger `webhook`). It serves systems that have no connector of their own yet, and proves the kit.
 *
 * Connection settings: { baseUrl, headers?, auth?, timeoutMs?, concurrency?, ratePerSecond?,
 * idempotencyHeader? (default 'Idempotency-Key'), webhook?: { secret, signatureHeader?, signatureEncoding?,
 * unsigned?, dedupeHeader?, eventType?, typeHeader?, entityPath? } }.
 */
import { defineConnector } from '../kit/types.ts';
import { requestAction, type HttpConnectorClient } from './request.ts';
import { authHeaders, parseHttpSettings } from './settings.ts';
import { webhookTrigger } from './webhook.ts';

export type { HttpConnectorClient, HttpRequestInput, HttpRequestOutput, ReconcileProbe } from './request.ts';
export type { HttpConnectorSettings, HttpAuth, HttpWebhookSettings } from './settings.ts';

export const httpConnector = defineConnector<HttpConnectorClient>({
  name: 'http',
  description: 'Any REST API: requests with auth, limits, retries and an idempotency header; HMAC-signed webhooks.',
  createClient(connection, kit) {
    const settings = parseHttpSettings(connection.name, connection.settings);
    const http = kit.http({
      name: connection.name,
      baseUrl: settings.baseUrl,
      headers: { ...settings.headers, ...authHeaders(settings.auth) },
      ...(settings.timeoutMs !== undefined && { timeoutMs: settings.timeoutMs }),
      ...(settings.concurrency !== undefined && { concurrency: settings.concurrency }),
      ...(settings.ratePerSecond !== undefined && { ratePerSecond: settings.ratePerSecond }),
    });
    return { http, settings };
  },
  close(client) {
    client.http.close();
    return Promise.resolve();
  },
  actions: { request: requestAction },
  triggers: { webhook: webhookTrigger },
});
