/**
 * A PrestaShop (1.7 / 8.x) Webservice emulator for tests, demos and benchmarks: plain node:http, in-memory
 * state, faults on demand, a storefront checkout stand-in and an optional webhook module. See
 * docs/prestashop.md for the endpoints and the fault syntax.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApi, responseHeaders, sendAnswer, type ApiContext, type KeyConfig } from './api.ts';
import { checkout, CheckoutError, type CheckoutInput } from './checkout.ts';
import { latencyOf, parseFaults } from './faults.ts';
import { seedBase, seedDemo } from './seed.ts';
import { shopClock, ShopState, type OutgoingEmail, type ShopEvent } from './state.ts';
import { startWebhookModule } from './webhook.ts';

export type { CheckoutInput } from './checkout.ts';
export type { OutgoingEmail } from './state.ts';
export type { KeyConfig } from './api.ts';

export interface PrestaShopEmulatorOptions {
  port?: number;
  host?: string;
  key: string;
  psVersion?: '8' | '1.7';
  seed?: 'demo' | 'empty';
  faults?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  /** The shop's timezone: dates are printed in it, without zone (default Europe/Madrid). */
  timezone?: string;
  /** More keys (inactive ones, restricted permissions) for tests of the auth errors. */
  extraKeys?: KeyConfig[];
}

export interface PrestaShopEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
  setFaults(spec: string | object): void;
  reset(): void;
  checkout(input: CheckoutInput): Promise<{ id_order: number; reference: string }>;
  emails(): OutgoingEmail[];
  /** Adds or replaces a webservice key. */
  setKey(key: KeyConfig): void;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

export async function startPrestaShopEmulator(opts: PrestaShopEmulatorOptions): Promise<PrestaShopEmulator> {
  if (opts.key.length !== 32) throw new Error(`the webservice key must be 32 characters, got ${opts.key.length}`);
  const psVersion = opts.psVersion ?? '8';
  const clock = shopClock(opts.timezone ?? 'Europe/Madrid');
  const events: ShopEvent[] = [];
  const webhook = opts.webhookUrl ? startWebhookModule(opts.webhookUrl, opts.webhookSecret) : undefined;
  const build = (): ShopState => {
    const s = new ShopState(clock);
    seedBase(s, opts.seed === 'demo' ? 2 : 1);
    if (opts.seed === 'demo') seedDemo(s);
    // Without the webhook module nobody reads the events: the state then skips building their payloads.
    if (webhook) s.listeners.push((e) => events.push(e));
    return s;
  };
  const keys = new Map<string, KeyConfig>([[opts.key, { key: opts.key, active: true, permissions: 'all' }]]);
  for (const k of opts.extraKeys ?? []) keys.set(k.key, k);
  const ctx: ApiContext = { state: build(), keys, psVersion, faults: parseFaults(opts.faults), apiBase: '' };
  const flushEvents = () => {
    if (!events.length) return;
    const batch = events.splice(0);
    if (webhook) for (const e of batch) webhook.send(e);
  };

  /** Webservice requests answered (GET /_emulator/stats): what a client costs the shop. */
  let requests = 0;
  const server = http.createServer((req, res) => {
    void (async () => {
      const startedAt = performance.now();
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = req.method === 'GET' || req.method === 'HEAD' ? '' : await readBody(req);
      if (url.pathname.startsWith('/_emulator/')) return control(url.pathname.slice('/_emulator/'.length), req.method ?? 'GET', body, res);
      if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) return sendJson(res, 404, { error: 'not found: the webservice lives under /api/' });
      requests++;
      const delay = latencyOf(ctx.faults);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (ctx.faults.errorRate > 0 && Math.random() < ctx.faults.errorRate && !ctx.faults.disabled) {
        const msg = '[PHP Error #1] emulated failure (fault injection error-rate)';
        const json = /json/i.test(String(req.headers['output-format'] ?? req.headers['io-format'] ?? url.searchParams.get('output_format') ?? url.searchParams.get('io_format') ?? ''));
        const answer = { status: 500, json, body: json ? JSON.stringify({ errors: [{ code: 2, message: msg }] }) : `<?xml version="1.0" encoding="UTF-8"?>\n<prestashop xmlns:xlink="http://www.w3.org/1999/xlink">\n<errors>\n<error>\n<code><![CDATA[2]]></code>\n<message><![CDATA[${msg}]]></message>\n</error>\n</errors>\n</prestashop>\n` };
        return sendAnswer(res, answer, responseHeaders(answer, psVersion, false, startedAt));
      }
      const answer = handleApi(ctx, req, url, body);
      flushEvents();
      if (answer.wrote && ctx.faults.commitDropRate > 0 && Math.random() < ctx.faults.commitDropRate) {
        req.socket.destroy();
        return;
      }
      const headers = responseHeaders(answer, psVersion, answer.status !== 401 && answer.status !== 503, startedAt);
      const local = req.headers['local-content-sha1'];
      if (psVersion === '8' && answer.status === 200 && local && local === headers['content-sha1']) {
        res.writeHead(304, headers);
        return res.end();
      }
      sendAnswer(res, answer, headers);
    })().catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: e instanceof Error ? e.message : String(e) });
      else res.destroy();
    });
  });

  function control(path: string, method: string, body: string, res: http.ServerResponse): void {
    try {
      const input = body ? (JSON.parse(body) as unknown) : {};
      if (path === 'checkout' && method === 'POST') {
        const out = checkout(ctx.state, input as CheckoutInput);
        flushEvents();
        return sendJson(res, 201, out);
      }
      if (path === 'faults' && method === 'POST') {
        const spec = (input as { spec?: unknown }).spec;
        ctx.faults = parseFaults(typeof spec === 'string' ? spec : (input as object));
        return sendJson(res, 200, ctx.faults);
      }
      if (path === 'faults' && method === 'GET') return sendJson(res, 200, ctx.faults);
      if (path === 'stats' && method === 'GET') return sendJson(res, 200, { requests });
      if (path === 'reset' && method === 'POST') {
        api.reset();
        return sendJson(res, 200, { ok: true });
      }
      if (path === 'emails' && method === 'GET') return sendJson(res, 200, ctx.state.emails);
      if (path === 'emails' && method === 'DELETE') {
        ctx.state.emails.length = 0;
        return sendJson(res, 200, { ok: true });
      }
      if (path === 'keys' && method === 'POST') {
        api.setKey(input as KeyConfig);
        return sendJson(res, 200, { ok: true });
      }
      return sendJson(res, 404, { error: `unknown emulator endpoint ${method} /_emulator/${path}` });
    } catch (e) {
      const status = e instanceof CheckoutError || e instanceof SyntaxError || (e instanceof Error && e.message.startsWith('unknown fault')) ? 400 : 500;
      return sendJson(res, status, { error: e instanceof Error ? e.message : String(e) });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  server.keepAliveTimeout = 30_000;
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  ctx.apiBase = `${url}/api/`;

  const api: PrestaShopEmulator = {
    url,
    port,
    close: async () => {
      await webhook?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    setFaults: (spec) => {
      ctx.faults = parseFaults(spec);
    },
    reset: () => {
      ctx.state = build();
      ctx.faults = parseFaults(opts.faults);
    },
    checkout: async (input) => {
      const out = checkout(ctx.state, input);
      flushEvents();
      return out;
    },
    emails: () => [...ctx.state.emails],
    setKey: (k) => {
      keys.set(k.key, { key: k.key, active: k.active ?? true, permissions: k.permissions ?? 'all' });
    },
  };
  return api;
}
