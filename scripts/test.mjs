#!/usr/bin/env node
// The test runner: every test/**/*.test.ts (sorted) through node:test + tsx, two files at a time.
//
//   node scripts/test.mjs                 all tests
//   node scripts/test.mjs test/kit        only the files under test/kit (any path prefix or file)
//
// Prints node's spec output, then one summary line "tests N, pass N, fail N, skipped N" and exits non-zero
// on any failure. With ORDERFLOW_REQUIRE_PG=1 (CI) it also fails when a test or suite whose name or file
// mentions postgres was skipped: the PostgreSQL suites must run in CI, not be silently skipped.
// Plain JS on purpose: it has to run before anything is compiled, on Node 20 and Node 24 alike.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const testRoot = path.join(root, 'test');
// Generous: the machine is shared and has two cores; kill -9 and 1,000-run tests take their time.
// On Node 20 each file also runs as one test, so this bounds a whole file there, not only one test.
const perTestTimeoutMs = Number(process.env.ORDERFLOW_TEST_TIMEOUT_MS ?? 600_000);
// A last resort against a hung child (a leaked handle, a deadlock): the whole run is stopped. Two passes
// (Node 20 and 24) of at most this, plus installs, must stay inside CI's 90 minutes.
const wholeRunTimeoutMs = Number(process.env.ORDERFLOW_TEST_RUN_TIMEOUT_MS ?? 30 * 60_000);
const requirePg = process.env.ORDERFLOW_REQUIRE_PG === '1';
// Tags this run's PostgreSQL test schemas (t_<tag>_…), so that the ones a test leaves are dropped at the end
// without touching another run's.
const runTag = randomBytes(4).toString('hex');

async function dropRunSchemas() {
  let client;
  try {
    const { default: pg } = await import('pg');
    client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' });
    await client.connect();
    const { rows } = await client.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`t\\_${runTag}\\_%`]);
    for (const r of rows) await client.query(`DROP SCHEMA IF EXISTS "${r.nspname}" CASCADE`);
    if (rows.length > 0) console.log(`dropped ${rows.length} PostgreSQL test schema(s) left by this run`);
  } catch {
    // No PostgreSQL here, or it went away: nothing to clean.
  } finally {
    await client?.end().catch(() => undefined);
  }
}

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(full));
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

function selectFiles(args) {
  const all = findTests(testRoot).sort();
  if (args.length === 0) return all;
  const wanted = args.map((a) => path.resolve(root, a));
  return all.filter((f) => wanted.some((w) => f === w || f.startsWith(w + path.sep)));
}

function runNode(files, summaryFile) {
  const args = [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    `--test-timeout=${perTestTimeoutMs}`,
    '--test-force-exit',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${path.join(root, 'scripts', 'test-reporter.mjs')}`,
    '--test-reporter-destination=stderr',
    ...files.map((f) => path.relative(root, f)),
  ];
  return new Promise((resolve) => {
    const env = { ...process.env, ORDERFLOW_TEST_SUMMARY: summaryFile, ORDERFLOW_TEST_RUN: runTag };
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    // Passed through as it comes; the tail is kept to read node's own count as a cross-check.
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4000);
    });
    let stopped = false;
    const watchdog = setTimeout(() => {
      stopped = true;
      process.stderr.write(`\ntest run exceeded ${wholeRunTimeoutMs} ms; stopping it\n`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, wholeRunTimeoutMs);
    // The child runs in its own process group (so the watchdog can stop the test files too): pass on ^C.
    const forward = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      const m = /^\W*tests (\d+)\s*$/m.exec(tail);
      resolve({ code: code ?? (signal ? 1 : 0), nodeCount: m ? Number(m[1]) : undefined, stopped });
    });
  });
}

function readSummary(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

const files = selectFiles(process.argv.slice(2));
if (files.length === 0) {
  console.error(`no test files found under ${path.relative(root, testRoot) || 'test'}/ for: ${process.argv.slice(2).join(' ') || '(all)'}`);
  process.exit(1);
}

const dir = mkdtempSync(path.join(tmpdir(), 'orderflow-test-'));
const summaryFile = path.join(dir, 'summary.jsonl');
const started = Date.now();
const { code: exitCode, nodeCount, stopped } = await runNode(files, summaryFile);
const results = readSummary(summaryFile);
rmSync(dir, { recursive: true, force: true });
await dropRunSchemas();

// Counted like node's own summary: suites are not tests; a skipped suite is reported for the PG check.
const tests = results.filter((r) => !r.suite);
const skipped = tests.filter((r) => r.skip).length;
const todo = tests.filter((r) => r.todo).length;
const fail = tests.filter((r) => !r.ok).length;
const pass = tests.length - fail - skipped - todo;

const problems = [];
if (stopped) problems.push(`the whole run was stopped after ${wholeRunTimeoutMs} ms (ORDERFLOW_TEST_RUN_TIMEOUT_MS); a test file hangs or the machine is overloaded`);
else if (exitCode !== 0) problems.push(`node's test runner exited with code ${exitCode}`);
if (tests.length === 0) problems.push('no test was executed');
if (nodeCount !== undefined && nodeCount !== tests.length) problems.push(`node counted ${nodeCount} tests but the summary reporter saw ${tests.length}`);
if (fail > 0) problems.push(`${fail} test(s) failed:\n${tests.filter((r) => !r.ok).map((r) => `  - ${r.path} (${path.relative(root, r.file)})`).join('\n')}`);
const pgPattern = /postgres/i;
const isPg = (r) => pgPattern.test(r.path) || pgPattern.test(r.file);
if (requirePg) {
  const pgSkipped = results.filter((r) => (r.skip || r.todo) && isPg(r));
  if (pgSkipped.length > 0) {
    problems.push(
      `ORDERFLOW_REQUIRE_PG=1 but ${pgSkipped.length} PostgreSQL test(s) or suite(s) were skipped (is PostgreSQL running on 127.0.0.1:5432?):\n` +
        pgSkipped.map((r) => `  - ${r.path} (${path.relative(root, r.file)})`).join('\n'),
    );
  }
}

const pgRan = tests.filter((r) => isPg(r) && r.ok && !r.skip && !r.todo).length;
if (requirePg && pgRan === 0) console.log('\nWARNING: ORDERFLOW_REQUIRE_PG=1 but no test naming postgres (in its name, suite or file) ran');
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log('');
console.log(`node ${process.version}, ${files.length} file(s), ${seconds} s; PostgreSQL tests run: ${pgRan}`);
for (const p of problems) console.log(`FAILED: ${p}`);
console.log(`tests ${tests.length}, pass ${pass}, fail ${fail}, skipped ${skipped}, todo ${todo}`);
console.log(`${pass} passed, ${fail} failed, ${skipped + todo} skipped`);
process.exit(problems.length > 0 ? 1 : 0);
