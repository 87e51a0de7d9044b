/**
 * Reading request bodies the way SL does: unknown properties are rejected (U_ user fields pass, entity types
 * are open), enum database values become member names, dates and times are normalised; PATCH merges
 * collections member by member unless `B1S-ReplaceCollectionsOnPatch: true`.
 */
import { badRequest, duplicateRow } from './sap-errors.ts';
import { COLLECTION_TEMPLATES, MERGE_KEYS } from './schema.ts';
import type { Obj } from './types.ts';
import { DATE_FIELDS, ENUMS, TIME_FIELDS, normaliseEnum, toDate, toTime } from './values.ts';

export function asObject(body: unknown, what: string): Obj {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`The request body must be a JSON object (${what})`);
  return body as Obj;
}

export function parseJson(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw badRequest('Invalid JSON in the request body');
  }
}

function normaliseValue(field: string, v: unknown): unknown {
  if (ENUMS[field]) return normaliseEnum(field, v);
  if (DATE_FIELDS.has(field) && typeof v === 'string') return toDate(v) ?? v;
  if (TIME_FIELDS.has(field) && typeof v === 'string') return toTime(v) ?? v;
  return v;
}

/** Copies `body` onto a fresh template, checking property names. */
export function fromTemplate(template: Obj, body: Obj, typeName: string): Obj {
  const out: Obj = { ...template };
  for (const [k, v] of Object.entries(body)) {
    if (k.startsWith('@') || k.startsWith('odata.')) continue;
    if (!(k in template) && !k.startsWith('U_')) throw badRequest(`Property '${k}' of '${typeName}' is invalid`);
    const member = COLLECTION_TEMPLATES[k];
    if (member && Array.isArray(v)) {
      out[k] = v.map((m, i) => fromTemplate(member(), asObject(m, `${k}[${i}]`), typeName));
    } else {
      out[k] = normaliseValue(k, v);
    }
  }
  return out;
}

function sameMember(keys: string[], a: Obj, b: Obj): boolean {
  return keys.every((k) => b[k] !== undefined && a[k] === normaliseValue(k, b[k]));
}

/**
 * Applies a PATCH body to `target` in place. Read-only properties are silently ignored (spec §4).
 * Collections: a member matching by key is updated, others are added, omitted ones kept; with
 * `replace` the collection becomes exactly the given members.
 */
export function mergePatch(target: Obj, patch: Obj, typeName: string, readOnly: Set<string>, replace: boolean): void {
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('@') || k.startsWith('odata.') || readOnly.has(k)) continue;
    if (!(k in target) && !k.startsWith('U_')) throw badRequest(`Property '${k}' of '${typeName}' is invalid`);
    const member = COLLECTION_TEMPLATES[k];
    if (!member || !Array.isArray(v)) {
      target[k] = normaliseValue(k, v);
      continue;
    }
    const current = Array.isArray(target[k]) ? (target[k] as Obj[]) : [];
    if (replace) {
      target[k] = v.map((m, i) => {
        const given = asObject(m, `${k}[${i}]`);
        const keys = MERGE_KEYS[k] ?? [];
        const existing = current.find((c) => sameMember(keys, c, given));
        return existing ? mergeMember(existing, given, typeName) : fromTemplate(member(), given, typeName);
      });
      continue;
    }
    const keys = MERGE_KEYS[k] ?? [];
    const next = [...current];
    for (const [i, m] of v.entries()) {
      const given = asObject(m, `${k}[${i}]`);
      const existing = next.find((c) => sameMember(keys, c, given));
      if (existing) {
        Object.assign(existing, mergeMember(existing, given, typeName));
      } else {
        if (k === 'BPAddresses' && next.some((c) => c.AddressName === given.AddressName && c.AddressType === normaliseValue('AddressType', given.AddressType))) {
          throw duplicateRow();
        }
        const added = fromTemplate(member(), given, typeName);
        // A new member gets the next row number; the caller assigns LineNum semantics for documents.
        if ('LineNum' in added && given.LineNum === undefined) added.LineNum = nextNumber(next, 'LineNum');
        if ('RowNum' in added && given.RowNum === undefined) added.RowNum = nextNumber(next, 'RowNum');
        next.push(added);
      }
    }
    target[k] = next;
  }
}

function mergeMember(existing: Obj, given: Obj, typeName: string): Obj {
  const out: Obj = { ...existing };
  for (const [k, v] of Object.entries(given)) {
    if (!(k in existing) && !k.startsWith('U_')) throw badRequest(`Property '${k}' of '${typeName}' is invalid`);
    out[k] = normaliseValue(k, v);
  }
  return out;
}

export function nextNumber(list: Obj[], field: string): number {
  let max = -1;
  for (const m of list) if (typeof m[field] === 'number' && (m[field] as number) > max) max = m[field] as number;
  return max + 1;
}
