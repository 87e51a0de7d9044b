/**
 * One object of a JSON answer, written as text: the same bytes `JSON.stringify` gives for the object the
 * Webservice prints (`id` a number, every other value a string, multilingual values as the language's
 * text or a list of `{id, value}`, then `associations`), without first building that object: a row has
 * some fifty fields, and an object that large is slow to build and to stringify.
 */
import type { Display } from './query.ts';
import { allAssociations, fieldNames, type ResourceDef } from './schema.ts';
import type { Assoc, Row, Value } from './state.ts';

export interface JsonRenderContext {
  languages: string[];
  associations(def: ResourceDef, row: Row): Record<string, Assoc>;
}

/** `"name":` for each name, JSON-quoted once. */
const keys = new Map<string, string>();

function key(name: string): string {
  let k = keys.get(name);
  if (k === undefined) keys.set(name, (k = `${JSON.stringify(name)}:`));
  return k;
}

export function jsonLang(v: Value, languages: string[]): string | Array<{ id: number; value: string }> {
  const map = typeof v === 'string' ? { [languages[0] ?? '1']: v } : v;
  if (languages.length === 1) return map[languages[0] ?? '1'] ?? '';
  return languages.map((l) => ({ id: Number(l), value: map[l] ?? '' }));
}

/** The entries with only the given fields (none given: all). */
export function pickAssoc(entries: Assoc, fields: readonly string[]): Assoc {
  if (!fields.length) return entries;
  return entries.map((e) => Object.fromEntries(fields.map((f) => [f, e[f] ?? ''])));
}

function associationsText(def: ResourceDef, row: Row, wanted: ReadonlyMap<string, readonly string[]>, ctx: JsonRenderContext): string {
  const all = ctx.associations(def, row);
  const assoc: Record<string, Assoc> = {};
  for (const [name, sub] of wanted) {
    const entries = all[name];
    if (entries?.length) assoc[name] = pickAssoc(entries, sub);
  }
  return Object.keys(assoc).length ? `${key('associations')}${JSON.stringify(assoc)}` : '';
}

/** How each field of a list is printed: its key text and whether it is multilingual. */
type FieldPlan = ReadonlyArray<{ name: string; key: string; lang: boolean }>;

function planOf(def: ResourceDef, fields: readonly string[]): FieldPlan {
  // A field named twice in `display` is printed once, where it was first named (as an object's key is).
  return [...new Set(fields)].map((name) => ({ name, key: key(name), lang: name !== 'id' && def.fields[name]?.lang === true }));
}

/** The plan of `display=full` (and of no display), the one asked on every request. */
const fullPlans = new WeakMap<ResourceDef, FieldPlan>();

function fullPlan(def: ResourceDef): FieldPlan {
  let plan = fullPlans.get(def);
  if (!plan) fullPlans.set(def, (plan = planOf(def, fieldNames(def))));
  return plan;
}

export function objectJsonText(def: ResourceDef, row: Row, display: Display | undefined, ctx: JsonRenderContext): string {
  const plan = display && !display.full ? planOf(def, display.fields) : fullPlan(def);
  let s = '{';
  for (let i = 0; i < plan.length; i++) {
    const { name, key: k, lang } = plan[i]!;
    if (i > 0) s += ',';
    if (name === 'id') {
      s += k + String(row.id);
      continue;
    }
    const v = row.f[name] ?? '';
    s += k + JSON.stringify(lang ? jsonLang(v, ctx.languages) : v);
  }
  const wanted = display ? display.assoc : allAssociations(def);
  if (wanted.size) {
    const assoc = associationsText(def, row, wanted, ctx);
    if (assoc) s += (plan.length ? ',' : '') + assoc;
  }
  return `${s}}`;
}
