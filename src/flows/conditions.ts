/**
 * The condition language: JSON Logic, evaluated by json-logic-engine's interpreter.
 *
 * We call `run()` and never `build()`: `build()` turns the rule into JavaScript source and hands it to
 * `new Function`, and these rules are written by users. The interpreter is fast enough (about 2M
 * evaluations per second per core).
 *
 * Two additions to the standard operators:
 * - `startsWith` / `endsWith` on strings (the UI's query builder emits them);
 * - decimal-safe comparisons: when both sides of `<`, `<=`, `>`, `>=`, `==`, `!=` look like numbers
 *   (numbers or decimal strings such as "5000.10"), they are compared as decimals with decimal.js, so
 *   money never meets binary floating point and "5000.10" > "5000" is true (plain JSON Logic would
 *   compare the two strings as text). Anything else keeps the standard JSON Logic behaviour.
 */
import { LogicEngine } from 'json-logic-engine';
import { UserError } from '../core/errors.ts';
import { dec, isDecimalString } from '../core/money.ts';
import { closest } from './suggest.ts';

type Comparator = (c: number) => boolean;

const LIMITS = { maxDepth: 64, maxArrayLength: 100_000, maxStringLength: 1_000_000 };
const engine = new LogicEngine(undefined, LIMITS);
/** An untouched engine: the standard semantics our comparators fall back to for non-numeric operands. */
const standard = new LogicEngine(undefined, LIMITS);

function looksNumeric(x: unknown): x is string | number {
  return (typeof x === 'number' && Number.isFinite(x)) || isDecimalString(x);
}

/** Replaces a comparison operator by one that compares decimals when both operands are numeric. */
function decimalComparator(name: string, accept: Comparator): void {
  if (!Object.hasOwn(engine.methods as Record<string, unknown>, name)) throw new Error(`json-logic-engine has no '${name}' operator to extend`);
  engine.addMethod(
    name,
    (args: unknown, context: unknown, above: unknown[]) => {
      const list = Array.isArray(args) ? (args as unknown[]) : [args];
      if (list.length < 2) throw new UserError('OF_CONDITION_INVALID', `operator '${name}' needs at least two operands`);
      if (list.every((x) => typeof x === 'number')) {
        // Two doubles compare exactly as they are; only text needs the decimal parse.
        for (let i = 1; i < list.length; i++) {
          const a = list[i - 1] as number;
          const b = list[i] as number;
          if (!accept(a < b ? -1 : a > b ? 1 : 0)) return false;
        }
        return true;
      }
      if (list.every(looksNumeric)) {
        for (let i = 1; i < list.length; i++) {
          if (!accept(dec(list[i - 1] as string | number).comparedTo(dec(list[i] as string | number)))) return false;
        }
        return true;
      }
      // Not all numeric: the standard operator decides, fed with the evaluated operands as literals.
      return standard.run({ [name]: list.map((a) => (a !== null && typeof a === 'object' ? { preserve: a } : a)) }, context, { above });
    },
    { deterministic: true },
  );
}

decimalComparator('<', (c) => c < 0);
decimalComparator('<=', (c) => c <= 0);
decimalComparator('>', (c) => c > 0);
decimalComparator('>=', (c) => c >= 0);
decimalComparator('==', (c) => c === 0);
decimalComparator('!=', (c) => c !== 0);

engine.addMethod('startsWith', (args: unknown) => stringPair(args, 'startsWith', (s, p) => s.startsWith(p)), { deterministic: true });
engine.addMethod('endsWith', (args: unknown) => stringPair(args, 'endsWith', (s, p) => s.endsWith(p)), { deterministic: true });

function stringPair(args: unknown, name: string, test: (s: string, p: string) => boolean): boolean {
  const [s, p] = Array.isArray(args) ? (args as unknown[]) : [];
  if (s === undefined || s === null) return false; // a missing field starts with nothing
  if (typeof p !== 'string') throw new UserError('OF_CONDITION_INVALID', `operator '${name}' needs a string as its second operand`);
  return test(String(s), p);
}

/** Evaluates a JSON Logic rule against `data` and answers its truthiness (JSON Logic's rules: [] and "" are false). */
export function evaluateCondition(logic: unknown, data: unknown): boolean {
  let result: unknown;
  try {
    result = engine.run(logic, data);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('OF_CONDITION_EVAL', `condition could not be evaluated: ${describeError(err)}; check the operators and the fields it reads`, {
      logic,
    });
  }
  return Boolean(engine.truthy(result));
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'number' && Number.isNaN(err)) return 'a comparison or arithmetic operand is not a number';
  if (err && typeof err === 'object' && 'type' in err) return String((err as { type: unknown }).type);
  return String(err);
}

/** One problem found in a rule, with the path inside the rule (e.g. `and[1].startWith`). */
export interface ConditionIssue {
  path: string;
  /** The same path as segments, for locating it in a file. */
  segments: Array<string | number>;
  message: string;
  fix: string;
}

/** The operators a rule may use: the engine's standard ones plus ours. */
export function knownOperators(): string[] {
  return Object.keys(engine.methods as Record<string, unknown>).sort();
}

/**
 * Checks a rule without running it: every operation object must have exactly one key and that key must be
 * a known operator. `preserve` marks literal data and is not looked into.
 */
export function checkConditionOperators(logic: unknown): ConditionIssue[] {
  const methods = engine.methods as Record<string, unknown>;
  const issues: ConditionIssue[] = [];
  const visit = (node: unknown, path: string, segments: Array<string | number>): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${path}[${i}]`, [...segments, i]));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const keys = Object.keys(node);
    if (keys.length !== 1) {
      issues.push({
        path,
        segments,
        message: keys.length === 0 ? 'an empty object is not a JSON Logic operation' : `a JSON Logic operation has exactly one key (the operator), found ${keys.length}: ${keys.join(', ')}`,
        fix: 'write each operation as { "<operator>": [operands] }, e.g. { ">": [ { "var": "event.payload.total" }, "100" ] }',
      });
      return;
    }
    const op = keys[0] as string;
    const sub = path === '' ? op : `${path}.${op}`;
    if (!Object.hasOwn(methods, op)) {
      const near = closest(op, Object.keys(methods));
      issues.push({
        path: sub,
        segments: [...segments, op],
        message: `unknown JSON Logic operator '${op}'`,
        fix: near ? `did you mean '${near}'? (known operators: see docs/flows.md)` : 'use one of the operators listed in docs/flows.md',
      });
      return;
    }
    if (op === 'preserve') return;
    visit((node as Record<string, unknown>)[op], sub, [...segments, op]);
  };
  visit(logic, '', []);
  return issues;
}
