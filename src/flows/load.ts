/**
 * Reading flow files: parse + validate (./validate.ts), and the version identity of a definition.
 *
 * A flow version is the sha256 of the canonical JSON of its definition (keys sorted at every level),
 * so reformatting the YAML or reordering keys does not make a new version, while any change of
 * meaning does. A run records the hash it started with and stays on that version.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UserError } from '../core/errors.ts';
import type { FlowDefinition, FlowIssue, LoadedFlow } from './types.ts';
import { validateFlowSource } from './validate.ts';

/** `file:line:col path: message (fix: …)`, the one-line form used by the CLI and by error messages. */
export function formatIssue(i: FlowIssue): string {
  return `${i.file}:${i.line}:${i.column} ${i.path === '' ? '(file)' : i.path}: ${i.message} (fix: ${i.fix})`;
}

/** A flow file that does not validate. `issues` lists every problem; the message shows them all. */
export class FlowValidationError extends UserError {
  readonly issues: FlowIssue[];
  constructor(issues: FlowIssue[]) {
    const files = [...new Set(issues.map((i) => i.file))].join(', ');
    super('OF_FLOW_INVALID', `flow file ${files} has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${issues.map(formatIssue).join('\n')}`, {
      issues: issues.map((i) => ({ ...i })),
    });
    this.issues = issues;
  }
}

/** Parses and validates the text of a flow file; `file` is only used in messages. Throws FlowValidationError. */
export function parseFlow(source: string, file: string): FlowDefinition {
  const { flow, issues } = validateFlowSource(source, file);
  if (!flow || issues.length > 0) throw new FlowValidationError(issues);
  return flow;
}

export async function loadFlowFile(path: string): Promise<LoadedFlow> {
  const source = await readSource(path);
  const flow = parseFlow(source, path);
  return { flow, source, file: path, hash: flowHash(flow) };
}

/** Every issue of every file (an unreadable file is one issue); an empty list means all are valid. */
export async function validateFlowFiles(paths: readonly string[]): Promise<FlowIssue[]> {
  const all: FlowIssue[] = [];
  for (const path of paths) {
    try {
      all.push(...validateFlowSource(await readSource(path), path).issues);
    } catch (err) {
      if (err instanceof FlowValidationError) all.push(...err.issues);
      else throw err;
    }
  }
  return all;
}

async function readSource(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new FlowValidationError([
      { file: path, path: '', line: 1, column: 1, message: `cannot read the file (${code})`, fix: code === 'ENOENT' ? 'check the path' : 'check that the file exists and is readable' },
    ]);
  }
}

/** The version identity of a definition: sha256 (hex) of its canonical JSON. */
export function flowHash(flow: FlowDefinition): string {
  return createHash('sha256').update(canonicalJson(flow)).digest('hex');
}

/** JSON with object keys sorted at every level and `undefined` members dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}
