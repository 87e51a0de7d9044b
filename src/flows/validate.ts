/**
 * Validates the text of one flow file and locates every problem in it:
 * YAML syntax → the file's shape (FlowHeaderSchema) → each step against the schema of its `kind` →
 * semantic checks (./semantic.ts). All problems are collected in one pass and sorted by position.
 */
import { LineCounter, parseDocument } from 'yaml';
import { closest } from './suggest.ts';
import { formatPath, locate, type PathSegment } from './locate.ts';
import { FlowHeaderSchema, STEP_KINDS, StepSchemas, type StepKind } from './schema.ts';
import { isPlainObject, schemaIssues, show, type RawIssue } from './schema-issues.ts';
import { semanticIssues } from './semantic.ts';
import type { FlowDefinition, FlowIssue } from './types.ts';

export interface FlowValidation {
  /** The definition, present only when there are no issues. */
  flow: FlowDefinition | undefined;
  issues: FlowIssue[];
}

/** Largest flow file accepted (a flow is a page of YAML; megabytes mean a mistake). */
export const MAX_FLOW_FILE_BYTES = 1_000_000;

export function validateFlowSource(source: string, file: string): FlowValidation {
  if (Buffer.byteLength(source) > MAX_FLOW_FILE_BYTES) {
    return { flow: undefined, issues: [{ file, path: '', line: 1, column: 1, message: `the file is larger than ${MAX_FLOW_FILE_BYTES} bytes`, fix: 'split it into several flows' }] };
  }
  const counter = new LineCounter();
  const doc = parseDocument(source, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e): FlowIssue => {
      const pos = e.linePos?.[0] ?? counter.linePos(e.pos[0]);
      return { file, path: '', line: pos.line, column: pos.col, message: `YAML syntax: ${firstLine(e.message)}`, fix: yamlFix(e.code) };
    });
    return { flow: undefined, issues };
  }
  let value: unknown;
  try {
    // A low alias budget stops "billion laughs" documents before they expand.
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    return { flow: undefined, issues: [{ file, path: '', line: 1, column: 1, message: `YAML could not be read: ${err instanceof Error ? err.message : String(err)}`, fix: 'remove anchors/aliases (&name, *name) that expand too much' }] };
  }
  const raw = structuralIssues(value);
  if (isPlainObject(value)) {
    // A semantic finding on a field that already has a schema error would only repeat it.
    const flagged = new Set(raw.map((i) => formatPath(i.path)));
    raw.push(...semanticIssues(value).filter((i) => !flagged.has(formatPath(i.path))));
  }
  const issues = raw
    .map((i): FlowIssue => {
      const pos = locate(doc, counter, i.path, i.atKey);
      return { file, path: formatPath(i.path), line: pos.line, column: pos.column, message: i.message, fix: i.fix };
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
  return { flow: issues.length === 0 ? (value as FlowDefinition) : undefined, issues };
}

function structuralIssues(value: unknown): RawIssue[] {
  if (!isPlainObject(value)) {
    return [
      {
        path: [],
        message: value === null || value === undefined ? 'the file is empty' : `a flow file is a mapping, got ${show(value)}`,
        fix: 'start with `id: my-flow` and a `steps:` list (see docs/flows.md)',
      },
    ];
  }
  const issues = schemaIssues(FlowHeaderSchema, value);
  const steps = value['steps'];
  if (Array.isArray(steps)) steps.forEach((step, i) => issues.push(...stepShapeIssues(step, ['steps', i])));
  return issues;
}

function stepShapeIssues(step: unknown, at: PathSegment[]): RawIssue[] {
  const kinds = STEP_KINDS.join(', ');
  if (!isPlainObject(step)) {
    return [{ path: at, message: `a step is a mapping with an id and a kind, got ${show(step)}`, fix: 'write `- id: my-step` and `kind: …` on the following line' }];
  }
  const kind = step['kind'];
  if (kind === undefined) return [{ path: [...at, 'kind'], message: '`kind` is required', fix: `add \`kind:\` with one of: ${kinds}` }];
  if (typeof kind !== 'string' || !Object.hasOwn(StepSchemas, kind)) {
    const near = typeof kind === 'string' ? closest(kind, STEP_KINDS) : undefined;
    return [{ path: [...at, 'kind'], message: `unknown step kind ${show(kind)}`, fix: near ? `did you mean "${near}"? The kinds are: ${kinds}` : `use one of: ${kinds}` }];
  }
  return schemaIssues(StepSchemas[kind as StepKind], step, at);
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function yamlFix(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove or rename the repeated key';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'UNEXPECTED_TOKEN':
      return 'check the indentation and the punctuation on this line (a quote, bracket or colon may be missing)';
    default:
      return 'fix the YAML syntax at this position; quote values that contain ": " or start with { [ * & ! | > \' " % @ `';
  }
}
