/**
 * `orderflow flows validate FILE|DIR…`: checks flow files and prints one line per problem,
 * `file:line:col path: message (fix: …)`, or `ok file` for a valid file. A directory stands for the
 * *.yaml / *.yml files directly inside it. `--json` prints the issues as one JSON document instead.
 * Exit code: 0 all valid, 1 some file has problems, 2 usage error.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatIssue, validateFlowFiles } from './load.ts';

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

const processOutput: CliOutput = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

/** `… | head` closes our stdout early: that is not a failure of the validation, so EPIPE is ignored. */
function tolerateClosedPipe(): void {
  if (process.stdout.listeners('error').includes(ignoreEpipe)) return;
  process.stdout.on('error', ignoreEpipe);
}

function ignoreEpipe(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') throw err;
}

const USAGE = 'usage: orderflow flows validate [--json] FILE|DIR…';

/** `argv` is what follows `flows validate`. Answers the exit code. */
export async function runFlowsValidateCli(argv: string[], io: CliOutput = processOutput): Promise<number> {
  if (io === processOutput) tolerateClosedPipe();
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  const unknown = args.find((a) => a.startsWith('-'));
  if (unknown !== undefined || args.length === 0) {
    io.err(unknown !== undefined ? `unknown option ${unknown}\n${USAGE}` : USAGE);
    return 2;
  }
  const files = await expand(args);
  if (files.length === 0) {
    io.err(`no flow files (*.yaml, *.yml) found in ${args.join(', ')}`);
    return 2;
  }
  const issues = await validateFlowFiles(files);
  if (json) {
    io.out(JSON.stringify({ files, valid: files.filter((f) => !issues.some((i) => i.file === f)), issues }, null, 2));
  } else {
    for (const file of files) {
      const mine = issues.filter((i) => i.file === file);
      if (mine.length === 0) io.out(`ok ${file}`);
      for (const i of mine) io.out(formatIssue(i));
    }
    if (issues.length > 0) {
      const bad = new Set(issues.map((i) => i.file)).size;
      io.err(`${issues.length} problem${issues.length === 1 ? '' : 's'} in ${bad} of ${files.length} file${files.length === 1 ? '' : 's'}`);
    }
  }
  return issues.length === 0 ? 0 : 1;
}

async function expand(args: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of args) {
    const info = await stat(a).catch(() => undefined);
    if (info?.isDirectory()) {
      const names = (await readdir(a)).filter((n) => /\.ya?ml$/.test(n)).sort();
      out.push(...names.map((n) => join(a, n)));
    } else {
      out.push(a); // a missing file is reported as an issue of that file
    }
  }
  return out;
}
