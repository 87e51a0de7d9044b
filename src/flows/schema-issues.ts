/**
 * Turns schema violations into issues a person can act on: which field, what is wrong, how to fix it.
 *
 * TypeBox reports JSON Schema errors (`must be >= 1`, `must match pattern …`) and stops descending into
 * an object once a union inside it has failed. So objects and arrays are walked here, field by field,
 * and only leaves (and unions) are handed to the compiled validator: every mistake in a file is found
 * in one pass, not one per run of the validator.
 */
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { closest } from './suggest.ts';
import type { PathSegment } from './locate.ts';

export interface RawIssue {
  path: PathSegment[];
  message: string;
  fix: string;
  /** Point at the key of the last segment (an unknown field) rather than at its value. */
  atKey?: boolean;
}

interface SchemaShape {
  type?: unknown;
  properties?: Record<string, SchemaShape>;
  required?: string[];
  additionalProperties?: unknown;
  items?: SchemaShape;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  description?: string;
  anyOf?: SchemaShape[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
}

type Validator = ReturnType<typeof Compile>;
const compiled = new WeakMap<object, Validator>();

function validatorOf(schema: TSchema): Validator {
  let v = compiled.get(schema);
  if (!v) {
    v = Compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

/** All schema issues of `value`, with paths prefixed by `base`. */
export function schemaIssues(schema: TSchema, value: unknown, base: PathSegment[] = []): RawIssue[] {
  const shape = schema as SchemaShape;
  if (shape.type === 'object' && shape.properties && isPlainObject(value)) return objectIssues(shape, value, base);
  if (shape.type === 'array' && shape.items && Array.isArray(value)) return arrayIssues(shape, value, base);
  if (validatorOf(schema).Check(value)) return [];
  return leafIssues(validatorOf(schema), shape, value, base);
}

function objectIssues(shape: SchemaShape, value: Record<string, unknown>, base: PathSegment[]): RawIssue[] {
  const props = shape.properties ?? {};
  const issues: RawIssue[] = [];
  for (const name of shape.required ?? []) {
    if (value[name] === undefined) {
      issues.push({ path: [...base, name], message: `\`${name}\` is required here`, fix: `add \`${name}:\`${hint(props[name])}` });
    }
  }
  for (const [name, v] of Object.entries(value)) {
    const sub = props[name];
    if (!sub) {
      if (shape.additionalProperties === false) {
        const near = closest(name, Object.keys(props));
        issues.push({
          path: [...base, name],
          message: `unknown field \`${name}\``,
          fix: near ? `did you mean \`${near}\`? Otherwise remove it` : `remove it; the fields allowed here are: ${Object.keys(props).join(', ')}`,
          atKey: true,
        });
      }
      continue;
    }
    if (v === undefined) continue;
    issues.push(...schemaIssues(sub as TSchema, v, [...base, name]));
  }
  return issues;
}

function arrayIssues(shape: SchemaShape, value: unknown[], base: PathSegment[]): RawIssue[] {
  const issues: RawIssue[] = [];
  if (shape.minItems !== undefined && value.length < shape.minItems) {
    issues.push({ path: base, message: `needs at least ${shape.minItems} ${shape.minItems === 1 ? 'entry' : 'entries'}, has ${value.length}`, fix: 'add an entry' });
  }
  if (shape.maxItems !== undefined && value.length > shape.maxItems) {
    issues.push({ path: base, message: `allows at most ${shape.maxItems} entries, has ${value.length}`, fix: 'remove entries' });
  }
  value.forEach((item, i) => issues.push(...schemaIssues(shape.items as TSchema, item, [...base, i])));
  return issues;
}

function leafIssues(validator: Validator, shape: SchemaShape, value: unknown, base: PathSegment[]): RawIssue[] {
  // A union (anyOf) is reported once, as the list of what it accepts.
  if (shape.anyOf) {
    return [{ path: base, message: `${show(value)} is not allowed here`, fix: `use ${describeUnion(shape.anyOf)}` }];
  }
  const issues: RawIssue[] = [];
  const seen = new Set<string>();
  for (const e of validator.Errors(value)) {
    const path = [...base, ...pointerToPath(e.instancePath)];
    const key = `${e.instancePath}\u0000${e.keyword}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, ...explain(e.keyword, e.params as Record<string, unknown>, shape, value) });
  }
  return issues;
}

function explain(keyword: string, params: Record<string, unknown>, shape: SchemaShape, value: unknown): { message: string; fix: string } {
  switch (keyword) {
    case 'type':
      return { message: `must be ${article(String(params['type']))}, got ${kindOf(value)}`, fix: `write ${article(String(params['type']))}${hint(shape)}` };
    case 'pattern':
      return patternIssue(String(params['pattern']), value);
    case 'minimum':
    case 'exclusiveMinimum':
      return { message: `${show(value)} is too small; the minimum is ${String(params['limit'])}`, fix: `use a number of at least ${String(params['limit'])}` };
    case 'maximum':
    case 'exclusiveMaximum':
      return { message: `${show(value)} is too large; the maximum is ${String(params['limit'])}`, fix: `use a number of at most ${String(params['limit'])}` };
    case 'minLength':
      return { message: 'must not be empty', fix: `write a value${hint(shape)}` };
    case 'maxLength':
      return { message: `is longer than ${String(params['limit'])} characters`, fix: 'shorten it' };
    case 'const':
      return { message: `${show(value)} is not allowed here`, fix: `write ${show(params['allowedValue'])}` };
    default:
      return { message: `${show(value)} is not valid here (${keyword})`, fix: `see docs/flows.md for this field${hint(shape)}` };
  }
}

function patternIssue(pattern: string, value: unknown): { message: string; fix: string } {
  if (pattern === '^[a-z0-9][a-z0-9-]*$') {
    const suggestion = typeof value === 'string' ? value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') : '';
    return {
      message: `${show(value)} is not a valid id`,
      fix: `use lower-case letters, digits and dashes${suggestion ? `, e.g. "${suggestion}"` : ''}`,
    };
  }
  if (pattern === '^[A-Z][A-Z0-9_]*$') {
    const suggestion = typeof value === 'string' ? value.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '') : '';
    return { message: `${show(value)} is not a valid code`, fix: `use upper-case letters, digits and underscores${suggestion ? `, e.g. "${suggestion}"` : ''}` };
  }
  return { message: `${show(value)} does not have the expected form`, fix: `match the pattern ${pattern}` };
}

function describeUnion(options: SchemaShape[]): string {
  const consts = options.filter((o) => o.const !== undefined).map((o) => show(o.const));
  if (consts.length === options.length) return `one of ${consts.join(', ')}`;
  const types = options.map((o) => (o.const !== undefined ? show(o.const) : article(String(o.type))));
  return types.join(' or ');
}

function hint(shape: SchemaShape | undefined): string {
  return shape?.description ? ` (${shape.description})` : '';
}

function article(type: string): string {
  switch (type) {
    case 'string':
      return 'a string';
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'object':
      return 'a mapping (key: value lines)';
    case 'array':
      return 'a list (lines starting with "- ")';
    case 'boolean':
      return 'true or false';
    default:
      return type;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${show(value)}`;
}

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
