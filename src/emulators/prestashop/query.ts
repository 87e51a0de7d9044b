/**
 * GET parameters of the Webservice (store-platforms.md §1.3): display, filter[...] in all its forms, the
 * `date=1` rule, sort, limit, language, schema. Each malformed parameter raises the code PrestaShop uses.
 */
import { compare, compareKeys, sortKey, type SortKey } from './collation.ts';
import { allAssociations, fieldNames, undatedFieldNames, type ResourceDef } from './schema.ts';

export class PsError extends Error {
  constructor(
    readonly status: number,
    readonly errors: Array<{ code: number; message: string }>,
  ) {
    super(errors.map((e) => e.message).join('; '));
  }
}

export const psError = (status: number, code: number, message: string): PsError => new PsError(status, [{ code, message }]);

function closest(input: string, words: string[]): string {
  let best = words[0] ?? '';
  let bestScore = Infinity;
  for (const w of words) {
    const d = levenshtein(input, w);
    if (d < bestScore) [best, bestScore] = [w, d];
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] ?? 0;
      prev[j] = Math.min((prev[j] ?? 0) + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length] ?? 0;
}

/** PrestaShop's "did you mean" error (setErrorDidYouMean). */
export function didYouMean(status: number, code: number, label: string, value: string, available: string[]): PsError {
  const list = available.length > 1 ? ` The full list is: "${available.join('", "')}"` : '';
  return psError(status, code, `${label}. Did you mean: "${closest(value, available)}"?${list}`);
}

export interface Display {
  full: boolean;
  fields: readonly string[];
  /** Association name → fields to show (empty: all). */
  assoc: ReadonlyMap<string, readonly string[]>;
}

export interface Filter {
  field: string;
  test(value: string): boolean;
  /** For `[a|b]`, `[a]` and `a`: the values matched exactly (an index may answer them). */
  values?: string[];
}

export interface ListQuery {
  display: Display | undefined;
  filters: Filter[];
  sort: Array<{ field: string; desc: boolean }>;
  limit: { offset: number; count: number } | undefined;
  languages: string[];
  schema: 'blank' | 'synopsis' | undefined;
}

/** Splits `a,b[c,d],e` at top-level commas. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur !== '') out.push(cur);
  return out.map((x) => x.trim());
}

const fullDisplays = new WeakMap<ResourceDef, Display>();

/** `display=full`: the same (read-only) answer every time. */
function fullDisplay(def: ResourceDef): Display {
  let d = fullDisplays.get(def);
  if (!d) fullDisplays.set(def, (d = { full: true, fields: fieldNames(def), assoc: allAssociations(def) }));
  return d;
}

function parseDisplay(def: ResourceDef, raw: string): Display {
  if (raw === 'full') return fullDisplay(def);
  const inner = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  const available = fieldNames(def);
  const fields: string[] = [];
  const assoc = new Map<string, string[]>();
  const display: Display = { full: false, fields, assoc };
  for (const part of splitTop(inner)) {
    const m = /^(\w+)\[(.*)\]$/.exec(part);
    if (m) {
      const [, name = '', sub = ''] = m;
      const ad = def.associations?.[name];
      if (!ad) throw didYouMean(400, 35, 'Unable to display this field', name, available);
      const subs = splitTop(sub);
      for (const s of subs) if (!ad.fields.includes(s)) throw didYouMean(400, 35, `Unable to display this field "${s}" of the association "${name}"`, s, ad.fields);
      assoc.set(name, subs);
      continue;
    }
    if (def.associations?.[part]) {
      assoc.set(part, []);
      continue;
    }
    if (!available.includes(part)) throw didYouMean(400, 35, 'Unable to display this field', part, available);
    fields.push(part);
  }
  return display;
}

/** A test that the value equals (as MySQL compares) one of the values. */
function equalsOneOf(values: string[]): (v: string) => boolean {
  const keys = values.map(sortKey);
  return (v) => {
    const k = sortKey(v);
    return keys.some((w) => compareKeys(k, w) === 0);
  };
}

function parseFilterValue(field: string, raw: string): Filter {
  let m: RegExpExecArray | null;
  if ((m = /^%\[(.*)\]%$/.exec(raw))) {
    const needle = (m[1] ?? '').toLowerCase();
    return { field, test: (v) => v.toLowerCase().includes(needle) };
  }
  if ((m = /^\[(.*)\]%$/.exec(raw))) {
    const needle = (m[1] ?? '').toLowerCase();
    return { field, test: (v) => v.toLowerCase().startsWith(needle) };
  }
  if ((m = /^%\[(.*)\]$/.exec(raw))) {
    const needle = (m[1] ?? '').toLowerCase();
    return { field, test: (v) => v.toLowerCase().endsWith(needle) };
  }
  if ((m = /^>\[(.*)\]$/.exec(raw))) {
    const x = sortKey(m[1] ?? '');
    return { field, test: (v) => compareKeys(sortKey(v), x) > 0 };
  }
  if ((m = /^<\[(.*)\]$/.exec(raw))) {
    const x = sortKey(m[1] ?? '');
    return { field, test: (v) => compareKeys(sortKey(v), x) < 0 };
  }
  if ((m = /^!\[(.*)\]$/.exec(raw))) {
    const isOneOf = equalsOneOf((m[1] ?? '').split('|'));
    return { field, test: (v) => !isOneOf(v) };
  }
  if ((m = /^\[(.*)\]$/.exec(raw))) {
    const inner = m[1] ?? '';
    if (inner.includes('|')) {
      const values = inner.split('|');
      return { field, test: equalsOneOf(values), values };
    }
    const iv = /^([\d.:\- ]+),([\d.:\- ]+)$/.exec(inner);
    if (iv) {
      // SQL BETWEEN: inclusive at both ends, the two values sorted first (the docs' "upper end exclusive" is wrong).
      const [lo, hi] = ([iv[1] ?? '', iv[2] ?? ''].sort(compare) as [string, string]).map(sortKey) as [SortKey, SortKey];
      return {
        field,
        test: (v) => {
          const k = sortKey(v);
          return compareKeys(k, lo) >= 0 && compareKeys(k, hi) <= 0;
        },
      };
    }
    return { field, test: equalsOneOf([inner]), values: [inner] };
  }
  return { field, test: equalsOneOf([raw]), values: [raw] };
}

function parseLimit(raw: string): { offset: number; count: number } {
  const parts = raw.split(',');
  const bad = () => psError(400, 39, 'The "limit" value has to be formed as this example: "5,25" or "10"');
  if (parts.length > 2 || parts.some((p) => !/^\s*\d+\s*$/.test(p))) throw bad();
  return parts.length === 2 ? { offset: Number(parts[0]), count: Number(parts[1]) } : { offset: 0, count: Number(parts[0]) };
}

function parseLanguages(raw: string | null, installed: string[]): string[] {
  if (raw === null) return installed;
  const inner = raw.replace(/^\[|\]$/g, '');
  let wanted: string[];
  const iv = /^(\d+),(\d+)$/.exec(inner);
  if (iv) wanted = installed.filter((l) => Number(l) >= Number(iv[1]) && Number(l) <= Number(iv[2]));
  else wanted = inner.split('|').filter((l) => installed.includes(l));
  if (!wanted.length) throw psError(400, 81, 'language is not available');
  return wanted;
}

export function parseListQuery(def: ResourceDef, params: URLSearchParams, installedLanguages: string[]): ListQuery {
  const dateOk = params.get('date') === '1';
  const available = dateOk ? fieldNames(def) : undatedFieldNames(def);
  const schemaRaw = params.get('schema');
  if (schemaRaw !== null && schemaRaw !== 'blank' && schemaRaw !== 'synopsis') {
    throw psError(400, 28, "Please select a schema of type 'synopsis' to get the whole schema informations (which fields are required, which kind of content...) or 'blank' to get an empty schema to fill before using POST request");
  }
  const displayRaw = params.get('display');
  const filters: Filter[] = [];
  for (const [key, value] of params) {
    const m = /^filter\[(\w+)\]$/.exec(key);
    if (!m) continue;
    const field = m[1] ?? '';
    if (!available.includes(field)) throw didYouMean(400, 32, 'This filter does not exist', field, available);
    if (value === '' || value === '[]') throw psError(400, 33, `The filter "${field}" is malformed.`);
    filters.push(parseFilterValue(field, value));
  }
  const sort: ListQuery['sort'] = [];
  const sortRaw = params.get('sort');
  if (sortRaw !== null) {
    for (const part of splitTop(sortRaw.replace(/^\[|\]$/g, ''))) {
      const at = part.lastIndexOf('_');
      const field = part.slice(0, at);
      const dir = part.slice(at + 1);
      if (at < 0 || (dir !== 'ASC' && dir !== 'DESC')) {
        throw psError(400, 37, 'The "sort" value has to be formed as this example: "field_ASC" or \'[field_1_DESC,field_2_ASC,field_3_ASC,...]\' ("field" has to be an available field)');
      }
      if (!available.includes(field)) throw didYouMean(400, 38, 'Unable to sort by this field', field, available);
      sort.push({ field, desc: dir === 'DESC' });
    }
  }
  const limitRaw = params.get('limit');
  return {
    display: displayRaw !== null ? parseDisplay(def, displayRaw) : undefined,
    filters,
    sort,
    limit: limitRaw !== null ? parseLimit(limitRaw) : undefined,
    languages: parseLanguages(params.get('language'), installedLanguages),
    schema: schemaRaw ?? undefined,
  };
}
