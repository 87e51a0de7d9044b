/** Shared setup for the PrestaShop suites: an emulator on an ephemeral port and a connector client for it. */
import { after, before } from 'node:test';
import { createHttpClient, type ActionContext, type ConnectionConfig, type TriggerContext } from '../../src/connectors/kit/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { prestashopConnector, type PrestaShopClient } from '../../src/connectors/prestashop/index.ts';
import { startPrestaShopEmulator, type CheckoutInput, type PrestaShopEmulator, type PrestaShopEmulatorOptions } from '../../src/emulators/prestashop/index.ts';

export const KEY = 'ORDERFLOWTESTKEY0000000000000001';
export const VERSIONS = ['8', '1.7'] as const;

export function startShop(opts: Partial<PrestaShopEmulatorOptions> = {}): Promise<PrestaShopEmulator> {
  return startPrestaShopEmulator({ key: KEY, seed: 'demo', ...opts });
}

/** A raw call to the webservice. `key: null` sends no key at all. */
export async function ws(emu: PrestaShopEmulator, path: string, init: { method?: string; body?: string; key?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  const key = init.key === undefined ? KEY : init.key;
  if (key !== null) headers.authorization = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  const res = await fetch(`${emu.url}/api/${path}`, { method: init.method ?? 'GET', headers, body: init.body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export async function wsJson<T = Record<string, unknown>>(emu: PrestaShopEmulator, path: string): Promise<T> {
  const sep = path.includes('?') ? '&' : '?';
  const r = await ws(emu, `${path}${sep}output_format=JSON`);
  if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}: ${r.text}`);
  return JSON.parse(r.text) as T;
}

export function connection(emu: PrestaShopEmulator, settings: Record<string, unknown> = {}, name = 'shop'): ConnectionConfig {
  return { name, connector: 'prestashop', settings: { baseUrl: emu.url, apiKey: KEY, ...settings } };
}

export function client(conn: ConnectionConfig): PrestaShopClient {
  return prestashopConnector.createClient(conn, { log: silentLogger, http: (o) => createHttpClient(o) });
}

export function triggerCtx(conn: ConnectionConfig, c: PrestaShopClient, options: Record<string, unknown> = {}): TriggerContext<PrestaShopClient> {
  return { connection: conn, client: c, log: silentLogger, options };
}

export function actionCtx(conn: ConnectionConfig, c: PrestaShopClient): ActionContext<PrestaShopClient> {
  return { connection: conn, client: c, log: silentLogger, runId: 'run-1', stepId: 'step-1', attempt: 1, idempotencyKey: 'run-1:step-1' };
}

export async function runAction<O = unknown>(conn: ConnectionConfig, c: PrestaShopClient, name: string, input: unknown): Promise<O> {
  const action = prestashopConnector.actions[name];
  if (!action) throw new Error(`no action ${name}`);
  return (await action.run(actionCtx(conn, c), input)) as O;
}

let n = 0;
export function order(overrides: Partial<CheckoutInput> = {}): CheckoutInput {
  n++;
  return {
    customer: { email: `buyer${(n % 50) + 1}@customer${(n % 50) + 1}.example.com`, firstname: 'Ana', lastname: 'Garcia', company: 'ACME SL' },
    address: { address1: 'Calle Mayor 1', postcode: '28001', city: 'Madrid', country_iso: 'ES', vat_number: 'ESB12345678' },
    lines: [{ reference: 'A00001', quantity: 2 }, { reference: 'A00010', quantity: 1 }],
    payment: { module: 'ps_wirepayment', label: 'Bank transfer' },
    state: 'Payment accepted',
    ...overrides,
  };
}

/** An XML write body: `<prestashop><node><k>v</k>…</node></prestashop>`. */
export const xmlBody = (node: string, fields: Record<string, string>): string =>
  `<prestashop><${node}>${Object.entries(fields).map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</${node}></prestashop>`;

/** The first PrestaShop error code of a JSON error body. */
export const errorCode = (text: string): number | undefined => (JSON.parse(text) as { errors: Array<{ code: number }> }).errors[0]?.code;

export interface ShopFixture {
  emu: PrestaShopEmulator;
  conn: ConnectionConfig;
  c: PrestaShopClient;
}

/** Registers before/after hooks: an emulator in `psVersion` mode and a connector client for it. */
export function useShop(psVersion: '8' | '1.7', setup?: (f: ShopFixture) => Promise<void>): ShopFixture {
  const f = {} as ShopFixture;
  before(async () => {
    f.emu = await startShop({ psVersion });
    f.conn = connection(f.emu, { psVersion });
    f.c = client(f.conn);
    await setup?.(f);
  });
  after(async () => {
    f.c.http.close();
    await f.emu.close();
  });
  return f;
}
