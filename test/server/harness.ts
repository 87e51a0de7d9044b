/**
 * Server fixtures: a small connector with a signed webhook trigger (dedupe key from a header), flows
 * that use it, and a server on a fresh store listening on 127.0.0.1:0.
 */
import { TransientError, UserError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import { defineConnector, type WebhookRequest } from '../../src/connectors/kit/types.ts';
import { hmacSha256, verifyHmacSha256 } from '../../src/connectors/kit/hmac.ts';
import type { Engine } from '../../src/engine/engine.ts';
import type { FlowDefinition } from '../../src/flows/types.ts';
import { buildServer, type ServerOptions } from '../../src/server/app.ts';
import type { Store } from '../../src/store/port.ts';
import { loaded, newEngine, newRecorder, type Recorder } from '../helpers/engine.ts';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { openStore } from '../../src/store/index.ts';
import { freshStoreUrl, type Backend } from '../helpers/stores.ts';

export const SECRET = 'shh-test-secret';

function header(req: WebhookRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Signed deliveries: `x-signature` is the hex HMAC-SHA256 of the raw body; `x-delivery-id` is the dedupe key. */
export const hookConnector = defineConnector<{ secret: string }>({
  name: 'hooktest',
  description: 'receives signed JSON deliveries',
  createClient: (conn) => ({ secret: String(conn.settings.secret) }),
  actions: {},
  triggers: {
    delivery: {
      kind: 'webhook',
      description: 'one event per delivery',
      receive(ctx, req) {
        if (!verifyHmacSha256(ctx.client.secret, req.rawBody, header(req, 'x-signature'))) {
          throw new UserError('OF_WEBHOOK_BAD_SIGNATURE', `webhook for '${ctx.connection.name}': bad x-signature`);
        }
        const busy = header(req, 'x-test-busy');
        if (busy) throw new TransientError('T_BUSY', 'the test connector is busy', { retryAfterMs: Number(busy) });
        const body = (req.body ?? {}) as { type?: string; entity?: string; n?: number };
        const id = header(req, 'x-delivery-id') ?? 'none';
        return [{ type: body.type ?? 'thing.happened', dedupeKey: `${ctx.connection.name}:${id}`, entityKey: `shop:${body.entity ?? id}`, payload: body }];
      },
    },
  },
});

export const flows = {
  /** A noop, then a write the test can make fail by its idempotency key `${runId}:write`. */
  hooked: {
    id: 'hooked',
    name: 'Hooked',
    trigger: { connection: 'shop', event: 'thing.happened' },
    steps: [
      { id: 'first', kind: 'action', connection: 'sys', action: 'noop' },
      { id: 'write', kind: 'action', connection: 'sys', action: 'write', input: '{ "seq": event.payload.n }' },
    ],
  },
  approval: {
    id: 'approval',
    trigger: { connection: 'shop', event: 'needs.approval' },
    steps: [
      { id: 'ask', kind: 'approval', role: 'approvers' },
      { id: 'after', kind: 'action', connection: 'sys', action: 'noop' },
    ],
  },
  /** Waits on a plain timer a long time: a run that is waiting, but not for an approval. */
  sleepy: {
    id: 'sleepy',
    trigger: { connection: 'shop', event: 'will.sleep' },
    steps: [{ id: 'nap', kind: 'wait', duration: '1h' }],
  },
} as unknown as Record<string, FlowDefinition>;

export interface Harness {
  store: Store;
  engine: Engine;
  rec: Recorder;
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startServer(
  backend: Backend,
  opts: Omit<Partial<ServerOptions>, 'engine'> & { wrapStore?: (s: Store) => Store; workers?: boolean } = {},
): Promise<Harness> {
  const storeUrl = await freshStoreUrl(backend);
  const base = await openStore(storeUrl);
  const store = opts.wrapStore ? opts.wrapStore(base) : base;
  const rec = newRecorder();
  const engine = await newEngine(store, rec);
  engine.addConnector(hookConnector);
  engine.registry.addConnection({ name: 'shop', connector: 'hooktest', settings: { secret: SECRET } });
  for (const f of Object.values(flows)) await engine.addFlow(loaded(f));
  if (opts.workers !== false) engine.startWorkers(1, { pollMs: 20 });
  const app = await buildServer({ log: silentLogger, ...opts, engine });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    store,
    engine,
    rec,
    url,
    app,
    async close() {
      await app.close();
      await engine.stop();
      await base.close();
      await dropSchema(storeUrl);
    },
  };
}

/**
 * Wraps a real store so that `method` rejects with the error `failure()` returns, while it returns one
 * (a database outage, a full disk); every other call goes to the real store.
 */
export function failing(method: keyof Store, failure: () => Error | undefined): (store: Store) => Store {
  return (store) =>
    new Proxy(store, {
      get(target, prop) {
        const err = prop === method ? failure() : undefined;
        if (err) return async () => Promise.reject(err);
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
}

import { dropSchema } from '../helpers/stores.ts';

export { dropSchema };

export interface Delivery {
  id: string;
  body: unknown;
  /** Sign with this secret instead of the right one. */
  secret?: string;
  raw?: string;
  contentType?: string;
}

export function signedHeaders(raw: string, id: string, secret = SECRET, contentType = 'application/json'): Record<string, string> {
  return { 'content-type': contentType, 'x-delivery-id': id, 'x-signature': hmacSha256(secret, raw) };
}

export async function deliver(url: string, d: Delivery, connection = 'shop'): Promise<{ status: number; body: any; headers: Headers }> {
  const raw = d.raw ?? JSON.stringify(d.body);
  const res = await fetch(`${url}/hooks/${connection}`, { method: 'POST', headers: signedHeaders(raw, d.id, d.secret, d.contentType), body: raw });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

export async function api(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (metrics, docs HTML): keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
