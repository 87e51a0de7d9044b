/**
 * The order stack for end-to-end tests: both emulators over real HTTP on 127.0.0.1, the engine in-process
 * (store, workers, shop poller, HTTP API) with the shipped order flow, notifications recorded, and
 * readers for what a person would look at: the ERP's documents, the shop's orders and messages.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import YAML from 'yaml';
import { silentLogger } from '../../src/core/log.ts';
import { startRuntime, type Runtime } from '../../src/cli/runtime.ts';
import { startPrestaShopEmulator, type CheckoutInput, type PrestaShopEmulator } from '../../src/emulators/prestashop/index.ts';
import { startSapB1Emulator, type SapB1Emulator } from '../../src/emulators/sapb1/index.ts';
import { emulatorConfig, ORDER_TO_ERP_FLOW, SAP_DEMO_LOGIN } from '../../src/orders/emulator-config.ts';
import { LogNotifier } from '../../src/orders/log-notifier.ts';
import type { RunRecord } from '../../src/store/port.ts';
import { waitFor } from '../helpers/engine.ts';
import { freshStoreUrl, tempDir, type Backend } from '../helpers/stores.ts';

export const SHOP_KEY = 'E2EKEYE2EKEYE2EKEYE2EKEYE2EKEY12';

export interface StackOptions {
  backend?: Backend;
  /** Deep-merged into the flow's settings (a copy of flows/order-to-erp.yaml is written). */
  settings?: Record<string, unknown>;
  /** Fields set on steps of that copy, by step id. */
  steps?: Record<string, Record<string, unknown>>;
  pollMs?: number;
  workers?: number;
}

/** Writes a copy of the shipped flow with some settings changed; returns its path. */
export function flowWithSettings(settings: Record<string, unknown>, dir = tempDir('orderflow-flow-'), steps: Record<string, Record<string, unknown>> = {}): string {
  const doc = YAML.parseDocument(fs.readFileSync(ORDER_TO_ERP_FLOW, 'utf8'));
  const js = doc.toJS() as { settings?: Record<string, unknown>; steps: Array<{ id: string }> };
  doc.set('settings', deepMerge(js.settings ?? {}, settings));
  js.steps.forEach((step, i) => {
    for (const [k, v] of Object.entries(steps[step.id] ?? {})) doc.setIn(['steps', i, k], v);
  });
  const file = path.join(dir, 'order-to-erp.yaml');
  fs.writeFileSync(file, doc.toString());
  return file;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur) ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** A Service Layer session over plain fetch, for reading what the ERP holds. */
export class ErpReader {
  private cookie = '';
  constructor(readonly url: string) {}

  private async login(): Promise<void> {
    const res = await fetch(`${this.url}/Login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ CompanyDB: SAP_DEMO_LOGIN.companyDb, UserName: SAP_DEMO_LOGIN.username, Password: SAP_DEMO_LOGIN.password }) });
    const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
    this.cookie = cookies.join('; ');
    await res.text();
  }

  async get<T = Record<string, unknown>>(p: string): Promise<T> {
    if (!this.cookie) await this.login();
    let res = await fetch(`${this.url}/${p}`, { headers: { cookie: this.cookie, prefer: 'odata.maxpagesize=1000' } });
    if (res.status === 401) {
      await this.login();
      res = await fetch(`${this.url}/${p}`, { headers: { cookie: this.cookie, prefer: 'odata.maxpagesize=1000' } });
    }
    if (!res.ok) throw new Error(`ERP GET ${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async patch(p: string, body: unknown): Promise<void> {
    if (!this.cookie) await this.login();
    const res = await fetch(`${this.url}/${p}`, { method: 'PATCH', headers: { cookie: this.cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`ERP PATCH ${p}: ${res.status} ${await res.text()}`);
  }

  async post<T = Record<string, unknown>>(p: string, body: unknown): Promise<T> {
    if (!this.cookie) await this.login();
    const res = await fetch(`${this.url}/${p}`, { method: 'POST', headers: { cookie: this.cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`ERP POST ${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** Every page of an entity set (`Orders?$filter=…`). */
  async all<T = Record<string, unknown>>(p: string): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = p;
    while (next) {
      const page: { value: T[]; 'odata.nextLink'?: string } = await this.get(next);
      out.push(...page.value);
      next = page['odata.nextLink'];
    }
    return out;
  }

  async ordersByNumAtCard(ref: string): Promise<Array<Record<string, unknown>>> {
    return this.all(`Orders?$filter=${encodeURIComponent(`NumAtCard eq '${ref}'`)}`);
  }

  async stats(): Promise<{ requests: number; faultsInjected: number; counts: Record<string, number> }> {
    const res = await fetch(`${this.url.replace(/\/b1s\/v[12]$/, '')}/_emulator/stats`);
    return (await res.json()) as { requests: number; faultsInjected: number; counts: Record<string, number> };
  }
}

/** The shop's Webservice in JSON, for what the customer sees. */
export async function shopGet<T = Record<string, unknown>>(shopUrl: string, p: string): Promise<T> {
  const sep = p.includes('?') ? '&' : '?';
  const res = await fetch(`${shopUrl}/api/${p}${sep}ws_key=${SHOP_KEY}&output_format=JSON`);
  if (!res.ok) throw new Error(`shop GET ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function customerMessages(shopUrl: string, orderId: number): Promise<string[]> {
  const threads = await shopGet<{ customer_threads?: Array<{ id: number }> }>(shopUrl, `customer_threads?display=[id]&filter[id_order]=[${orderId}]`);
  const out: string[] = [];
  for (const t of Array.isArray(threads.customer_threads) ? threads.customer_threads : []) {
    const msgs = await shopGet<{ customer_messages?: Array<{ message: string; private: string }> }>(shopUrl, `customer_messages?display=[message,private]&filter[id_customer_thread]=[${t.id}]`);
    for (const m of Array.isArray(msgs.customer_messages) ? msgs.customer_messages : []) if (m.private === '0') out.push(m.message);
  }
  return out;
}

export async function shopOrderState(shopUrl: string, orderId: number): Promise<string> {
  const o = await shopGet<{ order: { current_state: string } }>(shopUrl, `orders/${orderId}`);
  const s = await shopGet<{ order_state: { name: string | Array<{ id: string; value: string }> } }>(shopUrl, `order_states/${o.order.current_state}?language=1`);
  const name = s.order_state.name;
  return typeof name === 'string' ? name : (name[0]?.value ?? '');
}

export interface OrderStack {
  shop: PrestaShopEmulator;
  erpEmu: SapB1Emulator;
  erp: ErpReader;
  runtime: Runtime;
  notifier: LogNotifier;
  checkout(input: CheckoutInput): Promise<{ id_order: number; reference: string }>;
  /** The order flow's newest run for a shop order, once it exists. */
  runOf(orderId: number): Promise<RunRecord | undefined>;
  /** Waits until the order's run has one of the statuses; returns it. */
  waitRun(orderId: number, statuses: RunRecord['status'][], timeoutMs?: number): Promise<RunRecord>;
  stop(): Promise<void>;
}

export async function startOrderStack(opts: StackOptions = {}): Promise<OrderStack> {
  const erpEmu = await startSapB1Emulator({ port: 0, seed: 'demo' });
  const shop = await startPrestaShopEmulator({ port: 0, key: SHOP_KEY, seed: 'demo' });
  const flow = opts.settings || opts.steps ? flowWithSettings(opts.settings ?? {}, undefined, opts.steps) : ORDER_TO_ERP_FLOW;
  const config = emulatorConfig({ shopUrl: shop.url, shopKey: SHOP_KEY, erpUrl: erpEmu.url, database: await freshStoreUrl(opts.backend ?? 'sqlite'), pollMs: opts.pollMs ?? 250, flows: [flow], workers: opts.workers ?? 1 });
  const notifier = new LogNotifier(silentLogger);
  const runtime = await startRuntime({ config, file: null, dir: process.cwd() }, { mode: 'start', log: pino({ level: process.env.E2E_LOG ?? 'silent' }), port: 0, notifier });
  const store = runtime.store;
  const runOf = async (orderId: number) => (await store.listRuns({ entityKey: `shop:order:${orderId}`, flowId: 'order-to-erp' })).sort((a, b) => b.id - a.id)[0];
  return {
    shop,
    erpEmu,
    erp: new ErpReader(erpEmu.url),
    runtime,
    notifier,
    checkout: (input) => shop.checkout(input),
    runOf,
    async waitRun(orderId, statuses, timeoutMs = 20_000) {
      return waitFor(`the run of shop order ${orderId} to be ${statuses.join(' or ')}`, async () => {
        const r = await runOf(orderId);
        return r && statuses.includes(r.status) ? r : undefined;
      }, timeoutMs);
    },
    async stop() {
      await runtime.stop();
      await Promise.all([shop.close(), erpEmu.close()]);
    },
  };
}
