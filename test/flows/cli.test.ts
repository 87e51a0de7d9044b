import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runFlowsValidateCli, type CliOutput } from '../../src/flows/validate-cli.ts';

const example = fileURLToPath(new URL('../../flows/examples/order-to-erp.yaml', import.meta.url));
const broken = fileURLToPath(new URL('./fixtures/broken.yaml', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

function capture(): CliOutput & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => void stdout.push(l), err: (l) => void stderr.push(l) };
}

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orderflow-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

void describe('orderflow flows validate', () => {
  void it('prints "ok file" and exits 0 when every file is valid', async () => {
    const io = capture();
    assert.equal(await runFlowsValidateCli([example], io), 0);
    assert.deepEqual(io.stdout, [`ok ${example}`]);
    assert.deepEqual(io.stderr, []);
  });

  void it('prints file:line:col path: message (fix: …) per issue and exits 1', async () => {
    const io = capture();
    assert.equal(await runFlowsValidateCli([example, broken], io), 1);
    assert.equal(io.stdout[0], `ok ${example}`);
    assert.ok(io.stdout.includes(`${broken}:10:27 steps[0].retry.maxAttempts: -1 is too small; the minimum is 1 (fix: use a number of at least 1)`));
    for (const line of io.stdout.slice(1)) assert.match(line, /^.+broken\.yaml:\d+:\d+ \S+: .+ \(fix: .+\)$/);
    assert.match(io.stderr.join('\n'), /^20 problems in 1 of 2 files$/);
  });

  void it('validates the yaml files of a directory', async () => {
    await writeFile(join(dir, 'one.yaml'), 'id: one\nsteps:\n  - { id: a, kind: map, expression: "1" }\n');
    await writeFile(join(dir, 'notes.txt'), 'not a flow');
    const io = capture();
    assert.equal(await runFlowsValidateCli([dir], io), 0);
    assert.deepEqual(io.stdout, [`ok ${join(dir, 'one.yaml')}`]);
  });

  void it('prints machine-readable issues with --json', async () => {
    const io = capture();
    assert.equal(await runFlowsValidateCli(['--json', broken], io), 1);
    const doc = JSON.parse(io.stdout.join('\n')) as { issues: Array<{ file: string; path: string; line: number; fix: string }> };
    assert.equal(doc.issues.length, 20);
    assert.ok(doc.issues.every((i) => i.file === broken && i.line > 0 && i.fix.length > 0));
  });

  void it('exits 2 with the usage when no file is given or an option is unknown', async () => {
    const io = capture();
    assert.equal(await runFlowsValidateCli([], io), 2);
    assert.equal(await runFlowsValidateCli(['--fix', example], io), 2);
    assert.match(io.stderr.join('\n'), /usage: orderflow flows validate/);
  });

  void it('sets the process exit code when run as a real process', async () => {
    const script = `import('./src/flows/validate-cli.ts').then(async (m) => { process.exitCode = await m.runFlowsValidateCli(process.argv.slice(1)); })`;
    const run = (file: string) =>
      new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, out }));
      });
    const [good, bad] = await Promise.all([run(example), run(broken)]);
    assert.deepEqual([good.code, good.out.trim()], [0, `ok ${example}`]);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /broken\.yaml:1:5 id: "Orders To ERP" is not a valid id \(fix: /);
  });
});
