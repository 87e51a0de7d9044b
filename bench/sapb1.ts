/**
 * SAP B1 emulator and client benchmark: `npm run bench:sapb1` (node --import tsx bench/sapb1.ts).
 * The emulator runs in its own process (as in other benchmarks); this process generates the load.
 * Prints GETs/s and order creations/s (median of 3 runs of BENCH_SECONDS each, 32 in flight) and the
 * client's overhead per call against raw node:http (median latency, one call at a time).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { silentLogger } from '../src/core/log.ts';
import { createHttpClient } from '../src/connectors/kit/index.ts';
import { SapB1Client } from '../src/connectors/sapb1/index.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const IN_FLIGHT = Number(process.env.BENCH_CONCURRENCY ?? 32);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!;
}

async function startEmulator(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/emulators/sapb1/cli.ts', '--port', '0', '--seed', 'demo'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

function call(method: string, url: string, cookie: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { cookie };
    if (body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const req = http.request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/Login`, { method: 'POST', body: JSON.stringify({ CompanyDB: 'SBODEMO', UserName: 'manager', Password: '1234' }) });
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

interface Run {
  perSecond: number;
  /** CPU time the emulator process spent per operation: load-independent. */
  cpuMicros: number;
}

/** Runs `op` with IN_FLIGHT workers for SECONDS; returns operations per second and emulator CPU per operation. */
async function throughput(origin: string, op: (i: number) => Promise<void>): Promise<Run> {
  const cpu0 = await emulatorCpu(origin);
  let done = 0;
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < end) {
        await op(n++);
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = (await emulatorCpu(origin)) - cpu0;
  return { perSecond: done / elapsed, cpuMicros: cpu / done };
}

async function emulatorCpu(origin: string): Promise<number> {
  return ((await (await fetch(`${origin}/_emulator/stats`)).json()) as { cpuMicros: number }).cpuMicros;
}

async function latencies(op: () => Promise<unknown>, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await op();
    out.push((performance.now() - t) * 1000);
  }
  return out;
}

const emu = await startEmulator();
try {
  const base = emu.url;
  const cookie = await login(base);
  const items = Array.from({ length: 300 }, (_, i) => `A${String(i + 1).padStart(5, '0')}`);
  const get = async (i: number) => {
    const r = await call('GET', `${base}/Items('${items[i % 300]}')`, cookie);
    if (r.status !== 200) throw new Error(`GET answered ${r.status}`);
  };
  const post = async (i: number) => {
    const body = JSON.stringify({ CardCode: `C${String((i % 16) + 1).padStart(4, '0')}`, NumAtCard: `BENCH-${process.pid}-${i}-${Math.random()}`, DocumentLines: [{ ItemCode: items[i % 300], Quantity: 1 }, { ItemCode: items[(i + 7) % 300], Quantity: 2, UnitPrice: 9.95 }] });
    const r = await call('POST', `${base}/Orders`, cookie, body);
    if (r.status !== 201) throw new Error(`POST answered ${r.status}: ${r.text.slice(0, 200)}`);
  };
  const origin = new URL(base).origin;
  await throughput(origin, get); // warm-up
  const gets = [await throughput(origin, get), await throughput(origin, get), await throughput(origin, get)];
  const posts = [await throughput(origin, post), await throughput(origin, post), await throughput(origin, post)];

  // Client overhead: the same GET, one at a time, raw node:http vs the connector's client (session, kit, mapping).
  const kit = { log: silentLogger, http: createHttpClient };
  const client = new SapB1Client({ baseUrl: base, companyDb: 'SBODEMO', username: 'manager', password: '1234' }, kit, 'bench');
  await client.get("Items('A00001')");
  const rawLat: number[] = [];
  const clientLat: number[] = [];
  for (let round = 0; round < 5; round++) {
    rawLat.push(...(await latencies(() => call('GET', `${base}/Items('A00001')`, cookie), 400)));
    clientLat.push(...(await latencies(() => client.get("Items('A00001')"), 400)));
  }
  client.close();

  const f = (x: number) => x.toFixed(0);
  console.log(`SAP B1 emulator benchmark (${SECONDS}s runs, ${IN_FLIGHT} in flight, emulator in its own process)`);
  const line = (label: string, runs: Run[], unit: string, target: number) => {
    const cpu = median(runs.map((r) => r.cpuMicros));
    console.log(`${label} median ${f(median(runs.map((r) => r.perSecond)))} ${unit} (runs ${runs.map((r) => f(r.perSecond)).join(', ')}); emulator CPU ${cpu.toFixed(1)} µs each = ${f(1e6 / cpu)} ${unit} per core; target >= ${target}`);
  };
  const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
  console.log(`machine load average while measuring: ${load} (on ${(await import('node:os')).cpus().length} cores)`);
  line("GET Items('…'):       ", gets, 'req/s', 5000);
  line('POST Orders (2 lines):', posts, 'orders/s', 1500);
  console.log(`one GET at a time:     raw http p50 ${f(median(rawLat))} µs p99 ${f(pct(rawLat, 99))} µs | client p50 ${f(median(clientLat))} µs p99 ${f(pct(clientLat, 99))} µs`);
  console.log(`client overhead per call: ${f(median(clientLat) - median(rawLat))} µs (median), ratio ${(median(clientLat) / median(rawLat)).toFixed(2)}`);
} finally {
  agent.destroy();
  emu.stop();
}
