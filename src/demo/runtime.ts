/**
 * The demo's parts, started together in one process: the SAP B1 and PrestaShop emulators seeded with the
 * demo company, the engine on a fresh embedded SQLite store with the shipped flows and the shop poller,
 * notifications written to the log, and shoppers checking out in the shop.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DemoOptions } from './start.ts';
import { startRuntime, type Runtime } from '../cli/runtime.ts';
import { startPrestaShopEmulator } from '../emulators/prestashop/index.ts';
import { startSapB1Emulator } from '../emulators/sapb1/index.ts';
import { emulatorConfig } from '../orders/emulator-config.ts';
import { startCheckoutGenerator } from '../orders/generator.ts';
import { LogNotifier } from '../orders/log-notifier.ts';
import { watchOrderRuns } from './watch.ts';

export const DEMO_SHOP_KEY = 'DEMOKEYDEMOKEYDEMOKEYDEMOKEY1234';
export const DEFAULT_ORDERS_PER_MINUTE = 6;

export interface DemoRuntime {
  runtime: Runtime;
  shopUrl: string;
  erpUrl: string;
  stop(): Promise<void>;
}

export async function startDemoRuntime(opts: DemoOptions): Promise<DemoRuntime> {
  const log = opts.log;
  const erp = await startSapB1Emulator({ port: 0, seed: 'demo' });
  const shop = await startPrestaShopEmulator({ port: 0, key: DEMO_SHOP_KEY, seed: 'demo' });
  // The emulators start from their seed every time, so the store does too: a fresh file per demo.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orderflow-demo-'));
  const database = `sqlite:${path.join(dir, 'orderflow.db')}`;
  const config = emulatorConfig({ shopUrl: shop.url, shopKey: DEMO_SHOP_KEY, erpUrl: erp.url, database, pollMs: 1000 });
  const notifier = new LogNotifier(log.child({ component: 'notify' }));
  let runtime: Runtime;
  try {
    runtime = await startRuntime({ config, file: null, dir: process.cwd() }, { mode: 'start', log, port: opts.port ?? 8080, notifier });
  } catch (err) {
    await Promise.all([shop.close(), erp.close()]);
    throw err;
  }
  const perMinute = opts.ordersPerMinute ?? DEFAULT_ORDERS_PER_MINUTE;
  const shoppers = startCheckoutGenerator({ shopUrl: shop.url, ordersPerMinute: perMinute, log: log.child({ component: 'shoppers' }) });
  const watcher = watchOrderRuns(runtime.store, log.child({ component: 'orders' }));
  const api = runtime.url ?? '';
  const erpBase = erp.url.replace(/\/b1s\/v1$/, '');
  process.stdout.write(
    [
      '',
      'orderflow demo: a PrestaShop shop and a SAP Business One company (both emulated, in this process)',
      `  API          ${api}/api/runs            runs: ?status=blocked | waiting | succeeded`,
      `  API docs     ${api}/api/docs`,
      `  approve      curl -X POST ${api}/api/runs/<id>/approve      (or /reject; waiting runs: ${api}/api/runs?status=waiting)`,
      `  cross-refs   ${api}/api/xrefs?entity=order&system=shop&id=<shop order id>`,
      `  shop         ${shop.url}/api/orders?ws_key=${DEMO_SHOP_KEY}&output_format=JSON&display=[id,reference,current_state]`,
      `  ERP          ${erp.url}   (login SBODEMO / manager / 1234); stats ${erpBase}/_emulator/stats`,
      `  flow         flows/order-to-erp.yaml (settings at the top; docs/order-to-erp.md)`,
      `  store        ${database}`,
      `  shoppers     ${perMinute} checkouts a minute (--orders-per-minute N): some over 5,000 EUR, new customers, no stock, no credit`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  return {
    runtime,
    shopUrl: shop.url,
    erpUrl: erp.url,
    async stop() {
      await shoppers.stop();
      watcher.stop();
      await runtime.stop();
      await Promise.all([shop.close(), erp.close()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
