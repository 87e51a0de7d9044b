/** Small OData helpers: literals, keys and query strings encoded the way SL expects (`%20`, never `+`). */

/** A string literal for `$filter`: quotes doubled. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `Orders(22)` or `BusinessPartners('C0001')`. */
export function keyPath(entity: string, key: string | number): string {
  return typeof key === 'number' ? `${entity}(${key})` : `${entity}(${encodeURIComponent(quote(key))})`;
}

export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) if (v !== undefined) parts.push(`${k}=${encodeURIComponent(String(v))}`);
  return parts.length === 0 ? path : `${path}${path.includes('?') ? '&' : '?'}${parts.join('&')}`;
}

/** `2023-09-25T00:00:00Z` (v2) or `2023-09-25` (v1) → `2023-09-25`. */
export function datePart(v: unknown): string | null {
  return typeof v === 'string' && v.length >= 10 ? v.slice(0, 10) : null;
}

/** `14:23:05`, `14:23` or `PT14H23M5S` → `14:23:05`. */
export function timePart(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const iso = /^PT(\d+)H(?:(\d+)M)?(?:(\d+)S)?$/.exec(v);
  if (iso) return [iso[1], iso[2] ?? '0', iso[3] ?? '0'].map((p) => String(p).padStart(2, '0')).join(':');
  const m = /(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(v);
  return m ? `${m[1]!.padStart(2, '0')}:${m[2]}:${m[3] ?? '00'}` : null;
}
