/**
 * PrestaShop benchmark (`npm run bench:prestashop`):
 *   1. emulator throughput: single-order reads/s (JSON and XML) from a separate emulator process, 32 in flight;
 *   2. the poller's detection delay (order created → event emitted), p50/p99, polling at the default 2 s.
 * Options: BENCH_SECONDS (default 5) per throughput run, BENCH_ORDERS (default 40) for the delay run.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { createHttpClient, type PollingTrigger } from '../src/connectors/kit/index.ts';
import { silentLogger } from '../src/core/log.ts';
import { prestashopConnector, type PrestaShopClient } from '../src/connectors/prestashop/index.ts';

const KEY = 'ORDERFLOWBENCHKEY000000000000001';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const DELAY_ORDERS = Number(process.env.BENCH_ORDERS ?? 40);

async function startEmulatorProcess(): Promise<{ url: string; stop(): void }> {
  const script = `import { startPrestaShopEmulator } from ${JSON.stringify(new URL('../src/emulators/prestashop/index.ts', import.meta.url).href)};
const emu = await startPrestaShopEmulator({ key: '${KEY}', seed: 'demo' });
process.stdout.write(emu.url + '\\n');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const auth = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent, headers: { authorization: auth } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

async function checkout(url: string, i: number): Promise<{ id_order: number }> {
  const body = { customer: { email: `buyer${(i % 50) + 1}@customer${(i % 50) + 1}.example.com`, firstname: 'Ana', lastname: 'Garcia' }, address: { address1: 'Calle 1', postcode: '28001', city: 'Madrid', country_iso: 'ES' }, lines: [{ reference: `A${String((i % 300) + 1).padStart(5, '0')}`, quantity: 1 + (i % 3) }, { reference: 'A00010', quantity: 1 }], payment: { module: 'ps_wirepayment', label: 'Bank transfer' }, state: 'Payment accepted' };
  const res = await fetch(`${url}/_emulator/checkout`, { method: 'POST', body: JSON.stringify(body) });
  return (await res.json()) as { id_order: number };
}

async function throughput(url: string, format: 'JSON' | 'XML', orders: number, seconds = SECONDS): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  const worker = async (w: number) => {
    for (let i = w; performance.now() < until; i += 32) {
      const status = await get(`${url}/api/orders/${(i % orders) + 1}${format === 'JSON' ? '?output_format=JSON' : ''}`);
      if (status === 200) done++;
      else errors++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 32 }, (_, w) => worker(w)));
  if (errors) console.log(`  (${errors} non-200 answers)`);
  return done / ((performance.now() - t0) / 1000);
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function detectionDelay(url: string): Promise<number[]> {
  const conn = { name: 'shop', connector: 'prestashop', settings: { baseUrl: url, apiKey: KEY } };
  const client = prestashopConnector.createClient(conn, { log: silentLogger, http: (o) => createHttpClient(o) });
  const trigger = prestashopConnector.triggers.orders as PollingTrigger<PrestaShopClient>;
  const ctx = { connection: conn, client, log: silentLogger, options: {} };
  let cursor = (await trigger.poll(ctx, null)).cursor;
  const createdAt = new Map<number, number>();
  const delays: number[] = [];
  let producing = true;
  const producer = (async () => {
    for (let i = 0; i < DELAY_ORDERS; i++) {
      await new Promise((r) => setTimeout(r, Math.random() * 1000));
      const t = performance.now();
      createdAt.set((await checkout(url, 5000 + i)).id_order, t);
    }
    producing = false;
  })();
  // The engine's loop, reduced: poll, then wait for the next tick of the interval.
  while (producing || delays.length < createdAt.size) {
    const started = performance.now();
    const r = await trigger.poll(ctx, cursor);
    cursor = r.cursor;
    const now = performance.now();
    for (const e of r.events) {
      if (e.type !== 'order.confirmed') continue;
      const created = createdAt.get((e.payload as { id: number }).id);
      if (created !== undefined) delays.push(now - created);
    }
    await new Promise((res) => setTimeout(res, Math.max(0, trigger.defaultIntervalMs - (performance.now() - started))));
  }
  await producer;
  client.http.close();
  return delays.sort((a, b) => a - b);
}

const emu = await startEmulatorProcess();
try {
  const ORDERS = 500;
  for (let i = 0; i < ORDERS; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => checkout(emu.url, i + j)));
  console.log(`PrestaShop emulator (separate process, ${ORDERS} orders, 32 requests in flight, ${SECONDS} s per run)`);
  // Warm-up, not measured: the emulator process needs a few seconds of load before V8 has optimised its hot path.
  for (const format of ['JSON', 'XML', 'JSON'] as const) await throughput(emu.url, format, ORDERS, 2);
  const json = await throughput(emu.url, 'JSON', ORDERS);
  const xml = await throughput(emu.url, 'XML', ORDERS);
  console.log(`  GET /api/orders/:id JSON : ${json.toFixed(0)} reads/s`);
  console.log(`  GET /api/orders/:id XML  : ${xml.toFixed(0)} reads/s`);
  const delays = await detectionDelay(emu.url);
  console.log(`Poller detection delay at the default 2000 ms interval (${delays.length} orders created at random times)`);
  console.log(`  p50 ${pct(delays, 50).toFixed(0)} ms, p99 ${pct(delays, 99).toFixed(0)} ms, max ${(delays[delays.length - 1] ?? NaN).toFixed(0)} ms`);
} finally {
  agent.destroy();
  emu.stop();
}
