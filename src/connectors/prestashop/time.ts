/**
 * Shop-local time. PrestaShop prints `YYYY-MM-DD HH:MM:SS` in the shop's timezone, without a zone, so the
 * poller works entirely in that clock (its cursor is a shop date) and only `occurredAt` converts to an
 * instant, which needs the configured timezone.
 */

const FORMAT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function wallMillis(s: string): number | undefined {
  const m = FORMAT.exec(s);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function formatWall(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Moves a shop-local date back by `seconds` on the wall clock. */
export function minusSeconds(at: string, seconds: number): string {
  const ms = wallMillis(at);
  return ms === undefined ? at : formatWall(ms - seconds * 1000);
}

/** Building a formatter costs far more than using one (it was 2 % of the engine's CPU while polling). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * Offsets by zone and minute. Zone rules change offsets on whole minutes (the IANA data's transitions
 * since 1970 all are), so an offset holds for its whole minute; orders polled together mostly share a
 * few minutes. Cleared when it grows large.
 */
const offsets = new Map<string, number>();

/** The offset of `timeZone` from UTC at an instant, in ms. */
function offsetAt(timeZone: string, instant: number): number {
  const minute = Math.floor(instant / 60_000);
  const key = `${timeZone}@${minute}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = computeOffset(timeZone, minute * 60_000);
    if (offsets.size >= 10_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

function computeOffset(timeZone: string, instant: number): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - instant;
}

/** A shop-local date as an ISO instant; undefined for unset dates (`0000-00-00 00:00:00`) or bad input. */
export function shopDateToIso(s: unknown, timeZone = 'UTC'): string | undefined {
  if (typeof s !== 'string' || s.startsWith('0000')) return undefined;
  const wall = wallMillis(s);
  if (wall === undefined) return undefined;
  try {
    const guess = wall - offsetAt(timeZone, wall);
    return new Date(wall - offsetAt(timeZone, guess)).toISOString();
  } catch {
    return undefined;
  }
}
