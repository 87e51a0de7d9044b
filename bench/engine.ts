/**
 * Engine benchmark: a five-step flow of no-op actions, every attempt journaled, executed by 1 or 2
 * worker PROCESSES (bench/engine-worker.ts) on a fresh SQLite file or PostgreSQL schema.
 *
 * - throughput: a backlog of --runs runs is stored first, then the workers are told to go; runs/s is
 *   the backlog over the time until the last run finished;
 * - latency: events ingested open-loop at --rate per second (at most half the measured throughput)
 *   for --seconds; event-to-done is the run's finished_at minus the event's arrival, p50 and p99;
 * - peak RSS of the worker processes; the load average next to each row (the machine is shared).
 *
 *   npm run bench:engine -- [--runs 3000] [--rate 500] [--seconds 5] [--backends sqlite,postgres] [--procs 1,2] [--concurrency 16]
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../src/core/log.ts';
import { Engine } from '../src/engine/engine.ts';
import { openStore, type SqlStore } from '../src/store/index.ts';
import { freshStoreUrl, postgresAvailable, type Backend } from '../test/helpers/stores.ts';
import { dropSchema } from '../test/helpers/stores.ts';
import { benchFlow } from './engine-flow.ts';
import type { FromWorker, ToWorker } from './engine-worker.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const RUNS = Number(arg('runs', '3000'));
const RATE = Number(arg('rate', '500'));
const SECONDS = Number(arg('seconds', '5'));
const CONCURRENCY = Number(arg('concurrency', '16'));
const PROCS = arg('procs', '1,2').split(',').map(Number);
const WORKER = fileURLToPath(new URL('./engine-worker.ts', import.meta.url));

interface Row {
  backend: Backend;
  procs: number;
  runsPerSec: number;
  ingestPerSec: number;
  rate: number;
  p50: number;
  p99: number;
  rssMb: number;
  load: string;
}

interface Child {
  proc: ChildProcess;
  next(): Promise<FromWorker>;
}

function spawnWorker(url: string): Child {
  const proc = fork(WORKER, [url, String(CONCURRENCY)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: FromWorker[] = [];
  const waiting: Array<(m: FromWorker) => void> = [];
  proc.on('message', (m: FromWorker) => {
    const w = waiting.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  return { proc, next: () => new Promise((resolve) => (inbox.length > 0 ? resolve(inbox.shift()!) : waiting.push(resolve))) };
}

const send = (c: Child, m: ToWorker) => c.proc.send(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function succeeded(store: SqlStore): Promise<number> {
  return (await store.countRunsByStatus()).succeeded ?? 0;
}

async function untilSucceeded(store: SqlStore, n: number): Promise<void> {
  while ((await succeeded(store)) < n) await sleep(50);
}

async function runOne(backend: Backend, procs: number): Promise<Row> {
  const url = await freshStoreUrl(backend);
  const store = await openStore(url, { listen: false });
  const engine = new Engine({ store, log: silentLogger });
  await engine.addFlow(benchFlow());
  const ingest = (key: string) => engine.ingress.ingest('src', { type: 'bench', dedupeKey: key, entityKey: `order:${key}`, payload: { key } });
  const children: Child[] = [];
  try {
    const tIngest = performance.now();
    for (let i = 0; i < RUNS; i++) await ingest(`b${i}`);
    const ingestPerSec = RUNS / ((performance.now() - tIngest) / 1000);

    for (let i = 0; i < procs; i++) children.push(spawnWorker(url));
    await Promise.all(children.map((c) => c.next()));
    const loadBefore = load();
    const t0 = Date.now();
    for (const c of children) send(c, { go: true });
    await untilSucceeded(store, RUNS);
    const last = await store.db.selectFrom('runs').select((eb) => eb.fn.max('finished_at').as('t')).executeTakeFirstOrThrow();
    const runsPerSec = RUNS / ((Number(last.t) - t0) / 1000);

    // Open loop: each event on its schedule, whether or not the previous one has been stored.
    const rate = Math.max(1, Math.min(RATE, Math.floor(runsPerSec / 2)));
    const total = rate * SECONDS;
    const start = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      pending.push(ingest(`l${i}`));
    }
    await Promise.all(pending);
    await untilSucceeded(store, RUNS + total);
    const rows = await store.db
      .selectFrom('runs')
      .innerJoin('events', 'events.id', 'runs.event_id')
      .select(['runs.finished_at', 'events.received_at'])
      .where('events.dedupe_key', 'like', 'l%')
      .execute();
    const lat = rows.map((r) => Number(r.finished_at) - Number(r.received_at)).sort((a, b) => a - b);

    let rssMb = 0;
    for (const c of children) {
      send(c, { stop: true });
      const m = await c.next();
      if ('stopped' in m) rssMb = Math.max(rssMb, m.maxRssMb);
    }
    return { backend, procs, runsPerSec, ingestPerSec, rate, p50: percentile(lat, 50), p99: percentile(lat, 99), rssMb, load: `${loadBefore} → ${load()}` };
  } finally {
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill();
    await store.close();
    await dropSchema(url);
  }
}

const wanted = arg('backends', 'sqlite,postgres').split(',') as Backend[];
const backendsToRun = wanted.includes('postgres') && !(await postgresAvailable()) ? wanted.filter((b) => b !== 'postgres') : wanted;
const results: Row[] = [];
for (const backend of backendsToRun) {
  for (const procs of PROCS) {
    const r = await runOne(backend, procs);
    results.push(r);
    process.stdout.write(`${backend} × ${procs} process(es): ${r.runsPerSec.toFixed(0)} runs/s\n`);
  }
}

console.log(`\nengine: 5 no-op action steps per run, journal on; ${RUNS} runs backlog; ${CONCURRENCY} runs in flight per process; ${os.cpus().length} cores, node ${process.version}`);
console.table(
  results.map((r) => ({
    backend: r.backend,
    'worker procs': r.procs,
    'runs/s': Math.round(r.runsPerSec),
    'steps/s': Math.round(r.runsPerSec * 5),
    'serial ingest/s': Math.round(r.ingestPerSec),
    'latency @ rate/s': r.rate,
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    'peak RSS MB': r.rssMb,
    'load avg 1/5/15 (before → after)': r.load,
  })),
);
