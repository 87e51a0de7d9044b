/**
 * Exactly once under faults: 500 checkouts while the ERP fails 10 % of its calls and drops the connection
 * after committing 5 % of order creations, and real `orderflow` processes (configured by a file that
 * points at the emulators started here) are killed with SIGKILL twice. Every order must reach the ERP
 * once: counted in the ERP by NumAtCard.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import YAML from 'yaml';
import { startPrestaShopEmulator, type PrestaShopEmulator } from '../../src/emulators/prestashop/index.ts';
import { startSapB1Emulator, type SapB1Emulator } from '../../src/emulators/sapb1/index.ts';
import { makeCheckout } from '../../src/orders/checkouts.ts';
import { emulatorConfig } from '../../src/orders/emulator-config.ts';
import { seededRandom } from '../../src/emulators/demo-catalogue.ts';
import { waitFor } from '../helpers/engine.ts';
import { spawnOrderflow, stopProc, writeFile, type Proc } from '../helpers/processes.ts';
import { freshStoreUrl, postgresAvailable, tempDir } from '../helpers/stores.ts';
import { ErpReader, flowWithSettings, SHOP_KEY } from './harness.ts';

const ORDERS = Number(process.env.CHAOS_ORDERS ?? 500);

const procs: Proc[] = [];
let shop: PrestaShopEmulator | undefined;
let erpEmu: SapB1Emulator | undefined;
after(async () => {
  if (process.env.CHAOS_VERBOSE) for (const p of procs) process.stderr.write(`--- ${p.child.spawnargs.slice(2).join(' ')}\n${p.output().slice(-20000)}\n`);
  for (const p of procs) await stopProc(p, 'SIGKILL');
  await shop?.close();
  await erpEmu?.close();
});

function spawn(mode: 'start' | 'worker', config: string): Proc {
  const p = spawnOrderflow(mode === 'start' ? ['start', '--config', config, '--port', '0'] : ['worker', '--config', config]);
  procs.push(p);
  return p;
}

async function kill9(p: Proc): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
}

test(`${ORDERS} checkouts with the ERP failing 10 % of calls, dropping 5 % of committed order creations, and the engine killed twice: exactly ${ORDERS} Sales Orders, none twice, none missing`, { timeout: 8 * 60_000 }, async () => {
  const usePg = await postgresAvailable();
  erpEmu = await startSapB1Emulator({ port: 0, seed: 'demo' });
  shop = await startPrestaShopEmulator({ port: 0, key: SHOP_KEY, seed: 'demo' });
  const dir = tempDir('orderflow-chaos-');
  // No notifier is configured in these processes, and none of these orders needs one.
  const flow = flowWithSettings({ notify: { creditBlocked: false, backOrder: false, approvals: false, customerOnRejection: false, restocking: false } }, dir);
  const config = emulatorConfig({ shopUrl: shop.url, shopKey: SHOP_KEY, erpUrl: erpEmu.url, database: await freshStoreUrl(usePg ? 'postgres' : 'sqlite'), pollMs: 300, flows: [flow], workers: 1, concurrency: 32, leaseMs: 3000 });
  const file = writeFile(dir, 'orderflow.yaml', YAML.stringify({ ...config, flows: [path.basename(flow)], log: { level: process.env.CHAOS_LOG ?? 'warn' } }));

  let server = spawn('start', file);
  await waitFor('the server to listen', async () => /API\s+http/.test(server.output()), 30_000);
  // On PostgreSQL a second process works the same queue (once the first has migrated the schema).
  let worker = usePg ? spawn('worker', file) : undefined;
  erpEmu.setFaults('error=0.1, status=503; POST /Orders: drop=0.05');

  const t0 = Date.now();
  const rnd = seededRandom(7);
  const references: string[] = [];
  const killAt = [Math.floor(ORDERS * 0.3), Math.floor(ORDERS * 0.65)];
  for (let i = 0; i < ORDERS; i++) {
    const kind = rnd() < 0.9 ? 'normal' : 'new-customer';
    references.push((await shop.checkout(makeCheckout(kind, rnd))).reference);
    if (i % 25 === 24) await new Promise((r) => setTimeout(r, 150)); // ~150 checkouts a second, in bursts
    if (i === killAt[0]) {
      // First kill: the process polling the shop and serving the API (and, on PostgreSQL, a worker too).
      await kill9(server);
      server = spawn('start', file);
      const restarted = server;
      await waitFor('the restarted server to listen', async () => /API\s+http/.test(restarted.output()), 30_000);
    }
    if (i === killAt[1]) {
      if (worker) {
        await kill9(worker);
        worker = spawn('worker', file);
      } else {
        await kill9(server);
        server = spawn('start', file);
      }
    }
  }

  if (process.env.CHAOS_VERBOSE) process.stderr.write(`checkouts placed in ${Date.now() - t0} ms\n`);
  const erp = new ErpReader(erpEmu.url);
  const wanted = new Set(references);
  const counts = await waitFor(
    `${ORDERS} Sales Orders in the ERP`,
    async () => {
      const stats = await erp.stats();
      if (process.env.CHAOS_VERBOSE) process.stderr.write(`${new Date().toISOString()} ERP orders ${stats.counts.Orders ?? 0}, requests ${stats.requests}\n`);
      if ((stats.counts.Orders ?? 0) < ORDERS) return undefined;
      erpEmu!.setFaults({ rules: [] });
      const orders = await erp.all<{ NumAtCard: string }>("Orders?$select=NumAtCard&$filter=Cancelled eq 'tNO'");
      const by = new Map<string, number>();
      for (const o of orders) by.set(o.NumAtCard, (by.get(o.NumAtCard) ?? 0) + 1);
      return by.size >= ORDERS || orders.length > ORDERS ? by : undefined;
    },
    6 * 60_000,
  );
  const dupes = [...counts].filter(([, n]) => n > 1);
  const missing = references.filter((r) => !counts.has(r));
  const strangers = [...counts.keys()].filter((r) => !wanted.has(r));
  assert.deepEqual({ dupes, missing, strangers }, { dupes: [], missing: [], strangers: [] });
  assert.equal([...counts.values()].reduce((a, n) => a + n, 0), ORDERS);
  assert.ok((await erp.stats()).faultsInjected > 0, 'faults were injected');

  // Every run ended well: none blocked or dead.
  const last = server;
  const api = await waitFor('the server to listen', async () => /API\s+(http:\/\/\S+)\/api\/runs/.exec(last.output())?.[1], 30_000);
  for (const status of ['blocked', 'dead']) {
    const res = (await (await fetch(`${api}/api/runs?status=${status}&limit=10`)).json()) as { runs: Array<{ id: number; lastError: unknown }> };
    assert.deepEqual(res.runs.map((r) => [r.id, r.lastError]), [], `${status} runs`);
  }
});
