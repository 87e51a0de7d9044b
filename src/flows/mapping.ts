/**
 * The mapping language: JSONata over the run context, with decimal helpers for money.
 *
 * Limits on every evaluation (jsonata 2.2's own options): `timeout` (wall time, checked between
 * evaluation steps), `stack` (nesting depth; stops runaway recursion) and `sequence` (the longest
 * sequence an expression may build; stops `[1..1e9]`).
 *
 * A known gap: a catastrophic regular expression (`$match(x, /^(a+)+$/)`) runs inside one native
 * RegExp call and cannot be interrupted from this thread; the timeout is only checked after it
 * returns. ./mapping-sandbox.ts closes that gap with worker threads terminated at a hard deadline;
 * this module stays in-process (no copying, ~10 µs overhead) for the common case of flows written by
 * the shop's own administrators.
 */
import jsonata from 'jsonata';
import { UserError } from '../core/errors.ts';
import { addMoney, compareMoney, divMoney, mulMoney, roundMoney, subMoney, sumMoney, type DecimalInput } from '../core/money.ts';

export interface MappingOptions {
  /** Wall-time budget of one evaluation in ms (default 1000). */
  timeoutMs?: number;
}

export const DEFAULT_MAPPING_LIMITS = { timeoutMs: 1_000, stack: 200, sequence: 100_000 } as const;

/** Compiled expressions by (source, timeout). Bounded so a flood of distinct expressions cannot grow memory. */
const cache = new Map<string, jsonata.Expression>();
const CACHE_MAX = 2_000;

/** The JSONata error shape (jsonata throws plain objects, not Error instances). */
interface JsonataFailure {
  code?: string;
  message?: string;
  position?: number;
  token?: string;
}

function asFailure(err: unknown): JsonataFailure {
  return err !== null && typeof err === 'object' ? (err as JsonataFailure) : { message: String(err) };
}

/** Compiles (or fetches from the cache) an expression. Throws `OF_MAP_SYNTAX` with the position on a syntax error. */
export function compileMapping(expr: string, timeoutMs: number = DEFAULT_MAPPING_LIMITS.timeoutMs): jsonata.Expression {
  const key = `${timeoutMs}\u0000${expr}`;
  const hit = cache.get(key);
  if (hit) {
    // Refresh recency: Map keeps insertion order, so the first key is the least recently used.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(expr, { timeout: timeoutMs, stack: DEFAULT_MAPPING_LIMITS.stack, sequence: DEFAULT_MAPPING_LIMITS.sequence });
  } catch (err) {
    const f = asFailure(err);
    throw new UserError('OF_MAP_SYNTAX', `JSONata expression does not compile: ${f.message ?? 'syntax error'}${at(f)}; fix the expression (see docs/flows.md)`, {
      expression: expr,
      jsonataCode: f.code,
      position: f.position,
    });
  }
  registerDecimalHelpers(compiled);
  cache.set(key, compiled);
  if (cache.size > CACHE_MAX) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return compiled;
}

const SYNTAX_FIX = /; fix the expression \(see docs\/flows\.md\)$/;

/** A compile error as text, or undefined when the expression compiles (used by flow validation). */
export function mappingSyntaxError(expr: string): string | undefined {
  try {
    compileMapping(expr);
    return undefined;
  } catch (err) {
    if (err instanceof UserError) return err.message.replace(SYNTAX_FIX, '');
    return String(asFailure(err).message);
  }
}

/**
 * Evaluates `expr` against `data`. The result is plain JSON (JSONata's internal sequences become
 * arrays; functions are dropped); `undefined` when the expression selects nothing.
 * Failures are UserErrors: `OF_MAP_TIMEOUT`, `OF_MAP_LIMIT` (stack or sequence), `OF_MAP_EVAL`.
 */
export async function evaluateMapping(expr: string, data: unknown, opts: MappingOptions = {}): Promise<unknown> {
  const compiled = compileMapping(expr, opts.timeoutMs ?? DEFAULT_MAPPING_LIMITS.timeoutMs);
  let result: unknown;
  try {
    result = await compiled.evaluate(data);
  } catch (err) {
    throw evaluationError(expr, err);
  }
  return toPlainJson(result);
}

function evaluationError(expr: string, err: unknown): UserError {
  if (err instanceof UserError) return err;
  const f = asFailure(err);
  const details = { expression: expr, jsonataCode: f.code, position: f.position };
  switch (f.code) {
    case 'D1012':
      return new UserError('OF_MAP_TIMEOUT', `JSONata expression ran longer than its time limit (${f.message ?? ''}); simplify it or look for an endless recursion`, details);
    case 'D1011':
    case 'D2015':
      return new UserError('OF_MAP_LIMIT', `JSONata expression exceeded a resource limit: ${f.message ?? f.code}; reduce the recursion depth or the size of the sequences it builds`, details);
    default:
      return new UserError('OF_MAP_EVAL', `JSONata expression failed: ${f.message ?? String(err)}${at(f)}; check the fields it reads and the functions it calls`, details);
  }
}

function at(f: JsonataFailure): string {
  return typeof f.position === 'number' ? ` (at character ${f.position}${f.token !== undefined ? `, near '${f.token}'` : ''})` : '';
}

/**
 * A copy of a JSONata result as JSON would give it back (JSON.stringify then JSON.parse), without the
 * text in between: sequences become arrays, a non-finite number becomes null, an undefined or function
 * member of an object is left out and one in an array becomes null. JSONata functions and lambdas (which
 * JSON could not even write: a lambda holds its environment) are dropped like functions.
 */
export function toPlainJson(value: unknown): unknown {
  return plain(value, 0);
}

/** Deeper than this, a result is taken for a runaway construction. */
const MAX_RESULT_DEPTH = 1_000;

function plain(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v + 0 : null;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (v === null) return null;
  if (depth > MAX_RESULT_DEPTH) {
    throw new UserError('OF_MAP_LIMIT', `JSONata expression built a result nested deeper than ${MAX_RESULT_DEPTH} levels; flatten what it returns`);
  }
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = plain(v[i], depth + 1) ?? null;
    return out;
  }
  const o = v as Record<string, unknown>;
  if (o._jsonata_lambda === true || o._jsonata_function === true) return undefined;
  if (typeof o.toJSON === 'function') return plain((o.toJSON as () => unknown)(), depth + 1);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const x = plain(o[k], depth + 1);
    if (x === undefined) continue;
    if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    else out[k] = x;
  }
  return out;
}

const TEMPLATE_PART = /\{\{([\s\S]*?)\}\}/g;

/** The `{{ expr }}` parts of a template, with their offsets. */
export function templateExpressions(tpl: string): Array<{ expr: string; index: number }> {
  return [...tpl.matchAll(TEMPLATE_PART)].map((m) => ({ expr: (m[1] ?? '').trim(), index: m.index }));
}

/**
 * Renders a text template: every `{{ expr }}` is replaced by the JSONata value of `expr` over `data`.
 * Strings are inserted as they are, numbers and booleans as text, objects and arrays as JSON, and a
 * missing value as nothing. The first `}}` closes a part, so an expression cannot contain `}}`.
 */
export async function renderTemplate(tpl: string, data: unknown, opts: MappingOptions = {}): Promise<string> {
  const parts = templateExpressions(tpl);
  if (parts.length === 0) return tpl;
  const values = await Promise.all(parts.map((p) => (p.expr === '' ? Promise.resolve(undefined) : evaluateMapping(p.expr, data, opts))));
  let i = 0;
  return tpl.replace(TEMPLATE_PART, () => show(values[i++]));
}

function show(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

// ---- decimal helpers ---------------------------------------------------------------------------

/** Registered on every compiled expression. All take decimal strings (or numbers) and return decimal strings. */
function registerDecimalHelpers(e: jsonata.Expression): void {
  e.registerFunction('decAdd', (a: unknown, b: unknown) => addMoney(money('$decAdd', 1, a), money('$decAdd', 2, b)));
  e.registerFunction('decSub', (a: unknown, b: unknown) => subMoney(money('$decSub', 1, a), money('$decSub', 2, b)));
  e.registerFunction('decMul', (a: unknown, b: unknown) => mulMoney(money('$decMul', 1, a), money('$decMul', 2, b)));
  e.registerFunction('decDiv', (a: unknown, b: unknown) => divMoney(money('$decDiv', 1, a), money('$decDiv', 2, b)));
  e.registerFunction('decRound', (a: unknown, places: unknown) => {
    if (places !== undefined && (typeof places !== 'number' || !Number.isInteger(places))) {
      throw new UserError('OF_MAP_EVAL', `$decRound: places must be a whole number, got ${JSON.stringify(places)}; e.g. $decRound(x, 2)`);
    }
    return roundMoney(money('$decRound', 1, a), places ?? 2);
  });
  e.registerFunction('decSum', (values: unknown) => {
    const list = values === undefined ? [] : Array.isArray(values) ? (values as unknown[]) : [values];
    return sumMoney(list.map((v, i) => money('$decSum', i + 1, v)));
  });
  e.registerFunction('decCmp', (a: unknown, b: unknown) => compareMoney(money('$decCmp', 1, a), money('$decCmp', 2, b)));
}

function money(fn: string, argNo: number, v: unknown): DecimalInput {
  if (typeof v === 'string' || typeof v === 'number') return v;
  const got = v === undefined ? 'nothing (the field is missing)' : JSON.stringify(v);
  throw new UserError('OF_MAP_EVAL', `${fn}: argument ${argNo} must be a decimal string or a number, got ${got}; check the field it reads`);
}
