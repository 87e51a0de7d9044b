/**
 * `$filter` as the Service Layer supports it (spec §4): `eq ne gt ge lt le and or not`, parentheses, and only
 * the functions `startswith`, `endswith`, `contains`, `substringof`. Dates compare without their time part,
 * times without their date part, enums accept the name or the database value. Compiled once into a closure.
 */
import { badRequest } from './sap-errors.ts';
import { DATE_FIELDS, ENUMS, TIME_FIELDS, normaliseEnum, toDate, toTime } from './values.ts';
import type { Obj } from './types.ts';

type Tok = { t: 'id'; v: string } | { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'punc'; v: '(' | ')' | ',' };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: 'punc', v: c });
      i++;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw badRequest(`Unterminated string literal in $filter: ${src}`);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += src[i];
        i++;
      }
      out.push({ t: 'str', v: s });
    } else {
      const m = /^(-?\d+(?:\.\d+)?(?![A-Za-z_])|[A-Za-z_][A-Za-z0-9_/.]*)/.exec(src.slice(i));
      if (!m) throw badRequest(`Syntax error at position ${i} in $filter: ${src}`);
      const word = m[1]!;
      i += word.length;
      if (/^-?\d/.test(word)) out.push({ t: 'num', v: Number(word) });
      else if ((word === 'datetime' || word === 'time') && src[i] === "'") continue; // datetime'…': the literal follows
      else out.push({ t: 'id', v: word });
    }
  }
  return out;
}

export type Predicate = (row: Obj) => boolean;
type Operand = { kind: 'field'; name: string } | { kind: 'lit'; value: unknown };

const CMP = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCS = new Set(['startswith', 'endswith', 'contains', 'substringof']);

export interface FilterOptions {
  /** `B1S-CaseInsensitive: true`: otherwise strings compare case-sensitively, as on HANA. */
  caseInsensitive: boolean;
  /** Whether a property exists on the entity type; unknown ones are rejected (U_ fields are open). */
  hasField(name: string): boolean;
  entityType: string;
  /** The entity set's key property, when its values are strings: `Key eq 'x'` terms then name candidate rows. */
  stringKey?: string | undefined;
}

/**
 * Key values a row must have to match a predicate (`ItemCode eq 'a' or ItemCode eq 'b'` → a, b), noted for
 * the predicates that only such rows can satisfy: lets the caller fetch those rows instead of scanning all.
 */
const keysOf = new WeakMap<Predicate, string[]>();

class Parser {
  private pos = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly src: string,
    private readonly opts: FilterOptions,
  ) {}

  parse(): Predicate {
    const p = this.or();
    if (this.pos < this.toks.length) throw this.err();
    return p;
  }

  private err(): Error {
    return badRequest(`Syntax error in $filter near token ${this.pos + 1}: ${this.src}`);
  }
  private peek(): Tok | undefined {
    return this.toks[this.pos];
  }
  private isWord(w: string): boolean {
    const t = this.peek();
    return t?.t === 'id' && t.v === w;
  }
  private expect(v: '(' | ')' | ','): void {
    const t = this.toks[this.pos++];
    if (!t || t.t !== 'punc' || t.v !== v) throw this.err();
  }

  private or(): Predicate {
    let left = this.and();
    while (this.isWord('or')) {
      this.pos++;
      const l = left;
      const r = this.and();
      left = (row) => l(row) || r(row);
      const lk = keysOf.get(l);
      const rk = keysOf.get(r);
      if (lk && rk) keysOf.set(left, [...lk, ...rk]);
    }
    return left;
  }
  private and(): Predicate {
    let left = this.unary();
    while (this.isWord('and')) {
      this.pos++;
      const l = left;
      const r = this.unary();
      left = (row) => l(row) && r(row);
      const k = keysOf.get(l) ?? keysOf.get(r);
      if (k) keysOf.set(left, k);
    }
    return left;
  }
  private unary(): Predicate {
    if (this.isWord('not')) {
      this.pos++;
      const inner = this.unary();
      return (row) => !inner(row);
    }
    const t = this.peek();
    if (t?.t === 'punc' && t.v === '(') {
      this.pos++;
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (t?.t === 'id' && this.toks[this.pos + 1]?.t === 'punc' && (this.toks[this.pos + 1] as { v: string }).v === '(') {
      return this.call(t.v);
    }
    return this.comparison();
  }

  private call(name: string): Predicate {
    if (!FUNCS.has(name)) throw badRequest(`Function '${name}' is not supported in $filter; only startswith, endswith, contains and substringof are`);
    this.pos++;
    this.expect('(');
    const a = this.operand();
    this.expect(',');
    const b = this.operand();
    this.expect(')');
    // substringof(needle, haystack) has its arguments the other way round.
    const [hay, needle] = name === 'substringof' ? [b, a] : [a, b];
    const ci = this.opts.caseInsensitive;
    const str = (o: Operand, row: Obj): string | undefined => {
      const v = o.kind === 'field' ? getField(row, o.name) : o.value;
      if (v === null || v === undefined) return undefined;
      return ci ? String(v).toLowerCase() : String(v);
    };
    const test =
      name === 'startswith' ? (h: string, n: string) => h.startsWith(n) : name === 'endswith' ? (h: string, n: string) => h.endsWith(n) : (h: string, n: string) => h.includes(n);
    let pred: Predicate = (row) => {
      const h = str(hay, row);
      const n = str(needle, row);
      return h !== undefined && n !== undefined && test(h, n);
    };
    // `startswith(X,'a') eq true` is accepted too.
    if (this.isWord('eq') || this.isWord('ne')) {
      const negateOp = (this.toks[this.pos] as { v: string }).v === 'ne';
      this.pos++;
      const lit = this.peek();
      if (lit?.t !== 'id' || (lit.v !== 'true' && lit.v !== 'false')) throw this.err();
      this.pos++;
      const wantTrue = (lit.v === 'true') !== negateOp;
      if (!wantTrue) {
        const p = pred;
        pred = (row) => !p(row);
      }
    }
    return pred;
  }

  private operand(): Operand {
    const t = this.toks[this.pos++];
    if (!t) throw this.err();
    if (t.t === 'str') return { kind: 'lit', value: t.v };
    if (t.t === 'num') return { kind: 'lit', value: t.v };
    if (t.t === 'id') {
      if (t.v === 'null') return { kind: 'lit', value: null };
      if (t.v === 'true' || t.v === 'false') return { kind: 'lit', value: t.v === 'true' };
      const root = t.v.split('/')[0]!;
      if (!root.startsWith('U_') && !this.opts.hasField(root)) throw badRequest(`Property '${root}' of '${this.opts.entityType}' is invalid`);
      return { kind: 'field', name: t.v };
    }
    throw this.err();
  }

  private comparison(): Predicate {
    const left = this.operand();
    const opTok = this.toks[this.pos++];
    if (!opTok || opTok.t !== 'id' || !CMP.has(opTok.v)) throw this.err();
    const right = this.operand();
    const pred = compileComparison(opTok.v, left, right, this.opts.caseInsensitive);
    const key = opTok.v === 'eq' && !this.opts.caseInsensitive ? keyLiteral(this.opts.stringKey, left, right) : undefined;
    if (key !== undefined) keysOf.set(pred, [key]);
    return pred;
  }
}

/**
 * For `Key eq 'lit'` (either way round) on a string key: the key value a matching row has. A string literal
 * compared with a stored string matches only that very string (see `compileComparison`).
 */
function keyLiteral(key: string | undefined, left: Operand, right: Operand): string | undefined {
  if (key === undefined || DATE_FIELDS.has(key)) return undefined;
  const [field, lit] = left.kind === 'field' ? [left, right] : [right, left];
  if (field.kind !== 'field' || field.name !== key || lit.kind !== 'lit' || typeof lit.value !== 'string') return undefined;
  const v = literalFor(key, lit.value);
  return typeof v === 'string' ? v : undefined;
}

function getField(row: Obj, name: string): unknown {
  if (!name.includes('/')) return row[name];
  let cur: unknown = row;
  for (const part of name.split('/')) cur = cur !== null && typeof cur === 'object' ? (cur as Obj)[part] : undefined;
  return cur;
}

/** Normalises a literal to the stored form of the field it is compared with. */
function literalFor(field: string, lit: unknown): unknown {
  const leaf = field.slice(field.lastIndexOf('/') + 1);
  if (lit === null || typeof lit !== 'string') return lit;
  if (DATE_FIELDS.has(leaf)) return toDate(lit) ?? lit;
  if (TIME_FIELDS.has(leaf)) return toTime(lit) ?? lit;
  if (ENUMS[leaf]) return normaliseEnum(leaf, lit);
  return lit;
}

function fieldValue(field: string, v: unknown): unknown {
  const leaf = field.slice(field.lastIndexOf('/') + 1);
  if (typeof v === 'string' && DATE_FIELDS.has(leaf)) return v.slice(0, 10);
  return v;
}

function compileComparison(op: string, left: Operand, right: Operand, ci: boolean): Predicate {
  const field = left.kind === 'field' ? left.name : right.kind === 'field' ? right.name : undefined;
  const norm = (o: Operand): ((row: Obj) => unknown) => {
    if (o.kind === 'field') return (row) => fieldValue(o.name, getField(row, o.name));
    const v = field ? literalFor(field, o.value) : o.value;
    return () => v;
  };
  const l = norm(left);
  const r = norm(right);
  const cmp = (a: unknown, b: unknown): number | undefined => {
    if (a === undefined) a = null;
    if (b === undefined) b = null;
    if (a === null || b === null) return a === b ? 0 : undefined;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (typeof a === 'number' && typeof b === 'string' && b.trim() !== '' && !Number.isNaN(Number(b))) return a - Number(b);
    if (typeof b === 'number' && typeof a === 'string' && a.trim() !== '' && !Number.isNaN(Number(a))) return Number(a) - b;
    let sa = String(a);
    let sb = String(b);
    if (ci) {
      sa = sa.toLowerCase();
      sb = sb.toLowerCase();
    }
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  };
  switch (op) {
    case 'eq':
      return (row) => cmp(l(row), r(row)) === 0;
    case 'ne':
      return (row) => cmp(l(row), r(row)) !== 0;
    case 'gt':
      return (row) => (cmp(l(row), r(row)) ?? 0) > 0;
    case 'ge':
      return (row) => {
        const c = cmp(l(row), r(row));
        return c !== undefined && c >= 0;
      };
    case 'lt':
      return (row) => (cmp(l(row), r(row)) ?? 0) < 0;
    default:
      return (row) => {
        const c = cmp(l(row), r(row));
        return c !== undefined && c <= 0;
      };
  }
}

const cache = new Map<string, Predicate>();

export function compileFilter(src: string, opts: FilterOptions): Predicate {
  const key = `${opts.entityType}|${opts.stringKey ?? ''}|${opts.caseInsensitive ? 1 : 0}|${src}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const pred = new Parser(tokenize(src), src, opts).parse();
  if (cache.size > 1000) cache.clear();
  cache.set(key, pred);
  return pred;
}

/** The key values outside of which a compiled filter matches no row (see `FilterOptions.stringKey`), if known. */
export function filterKeys(pred: Predicate): readonly string[] | undefined {
  return keysOf.get(pred);
}

/**
 * If the filter is exactly `Field eq 'literal'` (or starts with it followed by `and`), the field and value:
 * lets the store use an index for the common `NumAtCard eq '…' and Cancelled eq 'tNO'` probe.
 */
export function leadingEquality(src: string): { field: string; value: string } | undefined {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s+eq\s+'((?:[^']|'')*)'\s*(?:$|and\s)/.exec(src);
  return m ? { field: m[1]!, value: m[2]!.replace(/''/g, "'") } : undefined;
}
