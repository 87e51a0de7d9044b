/** Builds the generic http connector's client and action contexts the way the engine does, for tests. */
import { createHttpClient } from '../../src/connectors/kit/http.ts';
import type { ActionContext, TriggerContext } from '../../src/connectors/kit/types.ts';
import { silentLogger } from '../../src/core/log.ts';
import { httpConnector, type HttpConnectorClient } from '../../src/connectors/http/index.ts';

export function connect(settings: Record<string, unknown>, name = 'api'): { client: HttpConnectorClient; connection: { name: string; connector: string; settings: Record<string, unknown> } } {
  const connection = { name, connector: 'http', settings };
  const client = httpConnector.createClient(connection, { log: silentLogger, http: (opts) => createHttpClient(opts) });
  return { client, connection };
}

export function actionContext(settings: Record<string, unknown>, idempotencyKey = 'run-1:create-order'): ActionContext<HttpConnectorClient> {
  const { client, connection } = connect(settings);
  return { connection, client, log: silentLogger, runId: 'run-1', stepId: 'create-order', attempt: 1, idempotencyKey };
}

export function triggerContext(settings: Record<string, unknown>, name = 'hooks'): TriggerContext<HttpConnectorClient> {
  const { client, connection } = connect({ baseUrl: 'http://127.0.0.1:9', ...settings }, name);
  return { connection, client, log: silentLogger, options: {} };
}

export const requestAction = (() => {
  const a = httpConnector.actions.request;
  if (!a) throw new Error('the http connector has no request action');
  return a;
})();

export const webhook = (() => {
  const t = httpConnector.triggers.webhook;
  if (t?.kind !== 'webhook') throw new Error('the http connector has no webhook trigger');
  return t;
})();
