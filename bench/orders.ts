/**
 * Orders → ERP through the whole shipped flow: `npm run bench:orders` (node --import tsx bench/orders.ts).
 *
 * The two emulators run in their own processes; this process runs the engine (store, one worker, the
 * shop poller) exactly as `orderflow start` does, on SQLite and on PostgreSQL (when 127.0.0.1:5432
 * answers). Each configuration is measured twice:
 *   - burst: BENCH_ORDERS checkouts posted at once → orders/s (first checkout to last Sales Order), ERP
 *     calls per order (the SAP emulator's request counter) and shop calls per order (the PrestaShop
 *     emulator's: webservice requests, not the checkouts);
 *   - paced: BENCH_RATE checkouts a second (with ERP latency: 80 % of the burst's orders/s) for BENCH_PACED_SECONDS → p50/p99 checkout-to-Sales-Order
 *     latency (the create-order step's finish time), which includes the shop poll interval (BENCH_POLL_MS);
 *     "p99 beyond poll" takes that interval off (an order waits up to one interval before it is seen).
 * With each configuration, the CPU milliseconds each process spent per order during the burst, and the
 * orders per second the machine's cores would allow at that cost: where the cores go.
 * Once with no emulator latency, once with BENCH_LATENCY_MS (150) per ERP call and the ERP connection's
 * concurrency at 8. Known customers only in the measured orders (a warm-up orders once per customer, then
 * BENCH_WARMUP (200) orders more, so that every process has compiled its hot code), so the ERP calls and
 * the CPU per order are the steady state. Peak RSS is this process's (engine + store).
 * BENCH_STORES=sqlite,postgres and BENCH_LATENCIES=0,150 choose the configurations; BENCH_SHOP_LATENCY_MS (0)
 * delays every shop webservice call (a PHP shop: ~100–300 ms), with BENCH_SHOP_CONCURRENCY calls in flight. The checkouts are placed,
 * and the Sales Orders counted, by a process of its own (bench/shoppers.ts). BENCH_ENGINES (1) > 1 adds
 * that many − 1 `orderflow worker` processes on the same store (the scale-out path in the README): they
 * claim runs beside this process, and their CPU is counted as engine2, engine3, ….
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { cpuMeter, namedCpuMs, processCpuMs } from './cpu.ts';
import { startRuntime, type Runtime } from '../src/cli/runtime.ts';
import { seededRandom } from '../src/emulators/demo-catalogue.ts';
import { customerCheckout, GOOD_CUSTOMERS, makeCheckout } from '../src/orders/checkouts.ts';
import type { OrderflowConfig } from '../src/config/schema.ts';
import { emulatorConfig } from '../src/orders/emulator-config.ts';
import { openStore } from '../src/store/index.ts';
import { postgresAvailable, postgresUrl, sqliteUrl } from '../test/helpers/stores.ts';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 300);
/** Orders before the measured burst, after one per customer: the JIT compilers of every process warm up on them. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 10);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 250);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 150);
/** Milliseconds the shop emulator waits before each webservice answer (0: none). A PHP shop takes ~100–300. */
const SHOP_LATENCY_MS = Number(process.env.BENCH_SHOP_LATENCY_MS ?? 0);
/**
 * Shop webservice requests in flight. The connector's default is 4, to spare a small shop; a B2B shop
 * that takes 300 orders a second runs far more PHP workers than that, so the benchmark sets 16.
 */
const SHOP_CONCURRENCY = Number(process.env.BENCH_SHOP_CONCURRENCY ?? 16);
/** Engine processes: this one plus BENCH_ENGINES − 1 `orderflow worker` processes on the same store. */
const ENGINES = Math.max(1, Number(process.env.BENCH_ENGINES ?? 1));
const KEY = 'BENCHKEYBENCHKEYBENCHKEYBENCH123';

function pctOf(x: number, of: number): string {
  return `${Math.round((100 * x) / of)} %`;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] ?? NaN;
}

/** An `orderflow` command in a process of its own, once its stdout matches `pattern` (group 1 is answered). */
async function spawnCli(args: string[], pattern: RegExp): Promise<{ url: string; child: ChildProcess }> {
  const prof = process.env.EMU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.EMU_PROF}`] : [];
  // They run with this process's V8 heap settings (npm run bench:orders sets the young generation's size).
  const heap = process.execArgv.filter((a) => a.startsWith('--max-semi-space-size'));
  const child = spawn(process.execPath, [...heap, ...prof, 'bin/orderflow.mjs', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`orderflow ${args.slice(0, 2).join(' ')} exited with ${code}`)));
  });
  return { url, child };
}

/** `count` worker processes (`orderflow worker`) on the configuration's store, from a file (JSON is YAML). */
async function startWorkers(config: OrderflowConfig, count: number, into: ChildProcess[]): Promise<void> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'of-bench-')), 'orderflow.yaml');
  writeFileSync(file, JSON.stringify({ ...config, log: { level: 'error' } }));
  for (let i = 0; i < count; i++) into.push((await spawnCli(['worker', '--config', file], /orderflow worker running on (\S+)/)).child);
}

async function shopRequests(shopUrl: string): Promise<number> {
  return ((await (await fetch(`${shopUrl}/_emulator/stats`)).json()) as { requests: number }).requests;
}

async function erpStats(erpUrl: string): Promise<{ requests: number; logins: number; counts: Record<string, number> }> {
  return (await (await fetch(`${erpUrl.replace(/\/b1s\/v1$/, '')}/_emulator/stats`)).json()) as { requests: number; logins: number; counts: Record<string, number> };
}

/** The shoppers' process (bench/shoppers.ts): one request at a time, answered in order. */
function startShoppers(): { ask: <T>(m: Record<string, unknown>) => Promise<T>; stop: () => void } {
  const child = fork(new URL('./shoppers.ts', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let pending: { resolve: (v: never) => void; reject: (e: Error) => void } | undefined;
  child.on('message', (m: { kind: string; message?: string }) => {
    const p = pending;
    pending = undefined;
    if (m.kind === 'error') p?.reject(new Error(m.message));
    else p?.resolve(m as never);
  });
  child.once('exit', (code) => pending?.reject(new Error(`the shoppers' process exited with ${code}`)));
  return {
    ask: <T>(m: Record<string, unknown>) =>
      new Promise<T>((resolve, reject) => {
        pending = { resolve: resolve as (v: never) => void, reject };
        child.send(m);
      }),
    stop: () => child.kill('SIGTERM'),
  };
}

/** Checkout-to-Sales-Order latency of the runs of these shop orders (ms). */
async function latencies(rt: Runtime, placed: Map<number, number>): Promise<number[]> {
  const out: number[] = [];
  for (const [orderId, at] of placed) {
    const run = (await rt.store.listRuns({ entityKey: `shop:order:${orderId}`, flowId: 'order-to-erp' }))[0];
    if (!run) continue;
    const created = (await rt.store.listAttempts(run.id)).find((a) => a.stepId === 'create-order' && (a.status === 'succeeded' || a.status === 'reconciled'));
    if (created?.finishedAt) out.push(created.finishedAt - at);
  }
  return out;
}

interface Result {
  store: string;
  erpLatencyMs: number;
  ordersPerSecond: number;
  erpCallsPerOrder: number;
  /** Webservice requests the shop answered per order during the burst (checkouts not included). */
  shopCallsPerOrder: number;
  p50: number;
  p99: number;
  pacedRate: number;
  rssMb: number;
  /** CPU ms per order during the burst: the engine's process, each emulator, PostgreSQL (all its processes). */
  cpu: Record<string, number>;
}

async function measure(storeName: 'sqlite' | 'postgres', erpLatency: number): Promise<Result> {
  const erp = await spawnCli(['emulate', 'sapb1', '--port', '0', '--seed', 'demo', ...(erpLatency ? ['--faults', `latency=${erpLatency}`] : [])], /listening on (\S+\/b1s\/v1)/);
  const shopFaults = SHOP_LATENCY_MS > 0 ? ['--faults', `latency=${SHOP_LATENCY_MS}`] : [];
  const shop = await spawnCli(['emulate', 'prestashop', '--port', '0', '--key', KEY, '--seed', 'demo', ...shopFaults], /emulator: (\S+)\/api\//);
  const database = storeName === 'sqlite' ? sqliteUrl() : postgresUrl();
  const config = emulatorConfig({ shopUrl: shop.url, shopKey: KEY, erpUrl: erp.url, database, pollMs: POLL_MS, workers: 1, concurrency: 64, erpConcurrency: 8, shopConcurrency: SHOP_CONCURRENCY });
  const rt = await startRuntime({ config, file: null, dir: process.cwd() }, { mode: 'start', log: pino({ level: 'error' }), port: 0 });
  const others: ChildProcess[] = [];
  const shoppers = startShoppers();
  const waitOrders = async (count: number) => (await shoppers.ask<{ at: number }>({ kind: 'wait', erpUrl: erp.url, count })).at;
  try {
    // After this process has migrated the store; the finally below stops them.
    await startWorkers(config, ENGINES - 1, others);
    const rnd = seededRandom(11);
    // Warm-up: every customer once, so the measured orders find their customer by cross-reference.
    await shoppers.ask({ kind: 'burst', shopUrl: shop.url, inputs: GOOD_CUSTOMERS.map((c) => ({ ...makeCheckout('normal', rnd), ...customerCheckout(c) })) });
    let expected = GOOD_CUSTOMERS.length;
    await waitOrders(expected);
    if (WARMUP > 0) {
      await shoppers.ask({ kind: 'burst', shopUrl: shop.url, inputs: Array.from({ length: WARMUP }, () => makeCheckout('normal', rnd)) });
      expected += WARMUP;
      await waitOrders(expected);
    }

    // Burst: throughput and ERP calls per order.
    const before = await erpStats(erp.url);
    const shopBefore = await shopRequests(shop.url);
    const inputs = Array.from({ length: ORDERS }, () => makeCheckout('normal', rnd));
    const meter = cpuMeter({
      engine: () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; },
      ...Object.fromEntries(others.map((o, i) => [`engine${i + 2}`, () => processCpuMs(o.pid!)])),
      shop: () => processCpuMs(shop.child.pid!),
      erp: () => processCpuMs(erp.child.pid!),
      ...(storeName === 'postgres' ? { postgres: () => namedCpuMs('postgres') } : {}),
    });
    const t0 = Date.now();
    await shoppers.ask({ kind: 'burst', shopUrl: shop.url, inputs });
    expected += ORDERS;
    const seconds = ((await waitOrders(expected)) - t0) / 1000;
    const cpu = meter.perUnit(ORDERS);
    const after = await erpStats(erp.url);
    const calls = after.requests - before.requests - (after.logins - before.logins);
    const shopCalls = (await shopRequests(shop.url)) - shopBefore;

    // Paced: latency at a steady rate. With ERP latency, at 80 % of what the burst just got through (beyond
    // it the queue only grows, and the latency says nothing but that).
    const rate = erpLatency > 0 ? Math.min(RATE, Math.max(1, Math.floor((0.8 * ORDERS) / seconds))) : RATE;
    const total = Math.round(rate * PACED_SECONDS);
    const paced = await shoppers.ask<{ ids: number[]; at: number[] }>({ kind: 'paced', shopUrl: shop.url, rate, inputs: Array.from({ length: total }, () => makeCheckout('normal', rnd)) });
    const placed = new Map(paced.ids.map((id, i) => [id, paced.at[i]!]));
    expected += total;
    await waitOrders(expected);
    await new Promise((r) => setTimeout(r, 200));
    const lat = await latencies(rt, placed);
    return {
      store: storeName,
      erpLatencyMs: erpLatency,
      ordersPerSecond: ORDERS / seconds,
      erpCallsPerOrder: calls / ORDERS,
      shopCallsPerOrder: shopCalls / ORDERS,
      p50: pct(lat, 50),
      p99: pct(lat, 99),
      pacedRate: rate,
      rssMb: process.resourceUsage().maxRSS / 1024,
      cpu,
    };
  } finally {
    shoppers.stop();
    for (const o of others) o.kill('SIGTERM');
    await rt.stop();
    erp.child.kill('SIGTERM');
    shop.child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const available: Array<'sqlite' | 'postgres'> = (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];
  const only = process.env.BENCH_STORES?.split(',');
  const stores = only ? available.filter((x) => only.includes(x)) : available;
  const latencies = process.env.BENCH_LATENCIES ? process.env.BENCH_LATENCIES.split(',').map(Number) : [0, LATENCY_MS];
  // Opening a store once migrates nothing we keep; it only checks the URL works before the long runs.
  await (await openStore(sqliteUrl())).close();
  process.stdout.write(`orders → ERP, whole flow: ${ORDERS} orders per burst, paced ${RATE}/s for ${PACED_SECONDS} s, shop poll ${POLL_MS} ms, ERP concurrency 8, shop concurrency ${SHOP_CONCURRENCY}${ENGINES > 1 ? `, ${ENGINES} engine processes` : ''}${SHOP_LATENCY_MS > 0 ? ` and ${SHOP_LATENCY_MS} ms per shop call` : ''}\n`);
  process.stdout.write('store     ERP latency  orders/s  ERP calls/order  shop calls/order  p50 ms  p99 ms  p99 beyond poll (paced)  peak RSS MB\n');
  const cpuLines: string[] = [];
  const results: Result[] = [];
  for (const latency of latencies) {
    for (const store of stores) {
      const r = await measure(store, latency);
      results.push(r);
      const total = Object.values(r.cpu).reduce((a, b) => a + b, 0);
      const parts = Object.entries(r.cpu).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
      // Without latency the burst is CPU-bound, so the cores' ceiling is its bound; with it, the ERP's limit is.
      const ceiling = latency === 0 ? ` → ${os.availableParallelism()} cores allow at most ${((os.availableParallelism() * 1000) / total).toFixed(0)} orders/s` : '';
      cpuLines.push(`${r.store.padEnd(9)} ${String(r.erpLatencyMs).padStart(6)} ms  ${parts}; total ${total.toFixed(1)}${ceiling}`);
      process.stdout.write(
        `${r.store.padEnd(9)} ${String(r.erpLatencyMs).padStart(6)} ms  ${r.ordersPerSecond.toFixed(1).padStart(8)}  ${r.erpCallsPerOrder.toFixed(2).padStart(15)}  ${r.shopCallsPerOrder.toFixed(2).padStart(16)}  ${String(Math.round(r.p50)).padStart(6)}  ${String(Math.round(r.p99)).padStart(6)}  ${String(Math.round(r.p99 - POLL_MS)).padStart(15)} (${r.pacedRate}/s)  ${r.rssMb.toFixed(0).padStart(11)}\n`,
      );
    }
  }
  process.stdout.write(`CPU ms per order during the burst, by process:\n${cpuLines.join('\n')}\n`);
  for (const r of results.filter((x) => x.erpLatencyMs > 0)) {
    // What 8 calls in flight allow: at 3 calls per order (one call per read, as without shared reads) and at the calls per order measured.
    const at = (calls: number) => 8000 / r.erpLatencyMs / calls;
    process.stdout.write(
      `${r.store}: with ${r.erpLatencyMs} ms per ERP call and 8 in flight, ${r.ordersPerSecond.toFixed(1)} orders/s = ${pctOf(r.ordersPerSecond, at(3))} of the ${at(3).toFixed(1)}/s that 3 calls per order allow, ${pctOf(r.ordersPerSecond, at(r.erpCallsPerOrder))} of the ${at(r.erpCallsPerOrder).toFixed(1)}/s that the measured ${r.erpCallsPerOrder.toFixed(2)} allow\n`,
    );
  }
}

await main();
