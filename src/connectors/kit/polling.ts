/**
 * The polling helper: reads "changed since" with an overlap window and dedupes what the window reads
 * twice, so that a record updated in the same second as the cursor is never missed and never emitted twice.
 *
 * The cursor is a JSON string `{ at, seen }`: `at` is the newest change time emitted so far (a sortable
 * string in the source's own clock and format) and `seen` the keys (id + change time) already emitted at or
 * after `at - overlap`. The next read starts at `at - overlap` (inclusive), and anything in `seen` is dropped.
 */

export interface OverlapCursor {
  at: string | null;
  seen: string[];
}

export interface OverlapPollOptions<T> {
  cursor: string | null;
  /** Reads every record changed at or after `since` (null: from the beginning, or from now, as the connector chooses). */
  fetchSince(since: string | null): Promise<T[]>;
  /** The change time of a record, sortable as a string, in the same format as `since`. */
  changedAt(item: T): string;
  /** A key unique per record version, e.g. `${id}@${date_upd}`. */
  keyOf(item: T): string;
  /** Moves a change time back by the overlap window (e.g. minus 2 seconds, in the source's format). */
  minusOverlap(at: string): string;
}

export interface OverlapPollResult<T> {
  items: T[];
  cursor: string;
}

export function parseOverlapCursor(cursor: string | null): OverlapCursor {
  if (!cursor) return { at: null, seen: [] };
  try {
    const c = JSON.parse(cursor) as Partial<OverlapCursor>;
    return { at: typeof c.at === 'string' ? c.at : null, seen: Array.isArray(c.seen) ? c.seen.filter((s): s is string => typeof s === 'string') : [] };
  } catch {
    // A legacy plain timestamp cursor.
    return { at: cursor, seen: [] };
  }
}

export async function pollWithOverlap<T>(opts: OverlapPollOptions<T>): Promise<OverlapPollResult<T>> {
  const cur = parseOverlapCursor(opts.cursor);
  const since = cur.at === null ? null : opts.minusOverlap(cur.at);
  const rows = await opts.fetchSince(since);
  const seen = new Set(cur.seen);
  const fresh: T[] = [];
  for (const row of rows) {
    const key = opts.keyOf(row);
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push(row);
  }
  fresh.sort((a, b) => (opts.changedAt(a) < opts.changedAt(b) ? -1 : opts.changedAt(a) > opts.changedAt(b) ? 1 : 0));
  let at = cur.at;
  for (const row of rows) {
    const t = opts.changedAt(row);
    if (at === null || t > at) at = t;
  }
  // Keep only keys that the next window can still read again.
  const floor = at === null ? null : opts.minusOverlap(at);
  const keep: string[] = [];
  const timeOfKey = new Map<string, string>();
  for (const row of rows) timeOfKey.set(opts.keyOf(row), opts.changedAt(row));
  for (const key of seen) {
    const t = timeOfKey.get(key);
    if (t === undefined || floor === null || t >= floor) keep.push(key);
  }
  return { items: fresh, cursor: JSON.stringify({ at, seen: keep.slice(-5000) }) };
}
