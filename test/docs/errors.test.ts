/**
 * Every error code raised in src/ is documented in docs/errors.md, with the kind it is raised as.
 *
 * Codes are found with the TypeScript parser, not a regular expression, so comments and partial strings
 * do not count: any string literal that is exactly `OF_…` is a code. Where the literal is the first
 * argument of `new UserError(…)` (or Transient/AmbiguousWrite/Bug), or sits beside `kind: '…'` in an
 * object literal, its kind is known and must be among the kinds documented for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const docFile = path.join(root, 'docs', 'errors.md');
const KINDS = ['user', 'transient', 'ambiguous', 'bug'] as const;
type Kind = (typeof KINDS)[number];
const KIND_OF_CLASS: Record<string, Kind> = { UserError: 'user', TransientError: 'transient', AmbiguousWriteError: 'ambiguous', BugError: 'bug' };
const CODE = /^OF_[A-Z0-9_]+$/;

interface Use {
  code: string;
  kind: Kind | undefined;
  where: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(full));
    else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

function kindBeside(lit: ts.Node): Kind | undefined {
  const parent = lit.parent;
  if (ts.isNewExpression(parent) && parent.arguments?.[0] === lit) {
    const callee = parent.expression;
    return ts.isIdentifier(callee) ? KIND_OF_CLASS[callee.text] : undefined;
  }
  if (ts.isPropertyAssignment(parent) && ts.isObjectLiteralExpression(parent.parent)) {
    for (const p of parent.parent.properties) {
      if (ts.isPropertyAssignment(p) && p.name.getText() === 'kind' && ts.isStringLiteral(p.initializer)) {
        const k = p.initializer.text;
        return (KINDS as readonly string[]).includes(k) ? (k as Kind) : undefined;
      }
    }
  }
  return undefined;
}

function codesInSource(dir = path.join(root, 'src')): Use[] {
  const uses: Use[] = [];
  for (const file of sourceFiles(dir)) {
    const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const visit = (node: ts.Node): void => {
      if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && CODE.test(node.text)) {
        const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
        uses.push({ code: node.text, kind: kindBeside(node), where: `${path.relative(root, file)}:${line + 1}` });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return uses;
}

interface DocRow {
  code: string;
  kinds: Kind[];
  line: number;
}

function documentedCodes(markdown: string): { rows: DocRow[]; problems: string[] } {
  const rows: DocRow[] = [];
  const problems: string[] = [];
  // Only tables whose first column is headed `code` list codes (the kinds table above them does not).
  let inCodeTable = false;
  markdown.split('\n').forEach((text, i) => {
    const line = i + 1;
    if (!text.trim().startsWith('|')) {
      inCodeTable = false;
      return;
    }
    const cells = text.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
    const first = (cells[0] ?? '').replace(/`/g, '');
    if (first === 'code') inCodeTable = true;
    if (!inCodeTable || first === 'code' || /^:?-+:?$/.test(first)) return; // other tables, header and separator rows
    if (!CODE.test(first)) {
      problems.push(`docs/errors.md:${line}: the first cell '${cells[0] ?? ''}' is not an error code (OF_ followed by A-Z, 0-9, _)`);
      return;
    }
    const kindCell = (cells[1] ?? '').replace(/`/g, '');
    const kinds = kindCell.split(/\s*(?:\/|,|\bor\b)\s*/).filter((k) => k !== '');
    const bad = kinds.filter((k) => !(KINDS as readonly string[]).includes(k));
    if (kinds.length === 0 || bad.length > 0) problems.push(`docs/errors.md:${line}: ${first} has kind '${kindCell}'; use ${KINDS.join(', ')} (several separated by '/')`);
    if (cells.length < 3 || (cells[2] ?? '') === '') problems.push(`docs/errors.md:${line}: ${first} has no meaning; say what happened and what to do`);
    rows.push({ code: first, kinds: kinds.filter((k): k is Kind => (KINDS as readonly string[]).includes(k)), line });
  });
  return { rows, problems };
}

const uses = codesInSource();
const doc = documentedCodes(fs.readFileSync(docFile, 'utf8'));

test('the error code scan finds the codes of the core and the kit', () => {
  const codes = new Set(uses.map((u) => u.code));
  for (const c of ['OF_BUG_UNCAUGHT', 'OF_HTTP_TIMEOUT', 'OF_HTTP_WRITE_TIMEOUT']) assert.ok(codes.has(c), `${c} not found: the scan is broken`);
  const timeout = uses.find((u) => u.code === 'OF_HTTP_WRITE_TIMEOUT');
  assert.equal(timeout?.kind, 'ambiguous');
});

test('docs/errors.md rows are well formed: a code, a known kind and a meaning', () => {
  assert.ok(doc.problems.length === 0, doc.problems.join('\n'));
});

test('no error code is documented twice', () => {
  const seen = new Map<string, number>();
  const twice: string[] = [];
  for (const r of doc.rows) {
    const first = seen.get(r.code);
    if (first !== undefined) twice.push(`${r.code} (docs/errors.md lines ${first} and ${r.line})`);
    else seen.set(r.code, r.line);
  }
  assert.ok(twice.length === 0, `merge the rows, one code, one row:\n  ${twice.join('\n  ')}`);
});

test('every error code raised in src/ is documented in docs/errors.md', () => {
  const documented = new Set(doc.rows.map((r) => r.code));
  const missing = new Map<string, string>();
  for (const u of uses) if (!documented.has(u.code) && !missing.has(u.code)) missing.set(u.code, u.where);
  const list = [...missing].map(([code, where]) => `  ${code} (raised at ${where})`).join('\n');
  assert.ok(missing.size === 0, `${missing.size} error code(s) are not documented; add a row \`| CODE | kind | meaning / what to do |\` for each to docs/errors.md, under the heading of your area:\n${list}`);
});

test('every error code is documented with the kind it is raised as', () => {
  const kindsOf = new Map(doc.rows.map((r) => [r.code, r.kinds]));
  const wrong: string[] = [];
  for (const u of uses) {
    const documented = kindsOf.get(u.code);
    if (u.kind && documented && !documented.includes(u.kind)) wrong.push(`${u.code} is raised as ${u.kind} at ${u.where}, documented as ${documented.join('/')}`);
  }
  assert.ok(wrong.length === 0, `fix the kind in docs/errors.md (or the code):\n  ${wrong.join('\n  ')}`);
});
