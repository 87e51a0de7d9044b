/**
 * Durations in flow files: "500ms", "30s", "5m", "2h", "3d", or a whole number of milliseconds.
 * One unit per value on purpose ("1h30m" is rejected; write "90m") so a duration reads unambiguously.
 */
import { UserError } from '../core/errors.ts';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** The longest duration accepted: 366 days. Anything longer is almost surely a typo. */
export const MAX_DURATION_MS = 366 * UNIT_MS.d;

export const DURATION_FIX = 'write a number followed by one unit: ms, s, m, h or d (e.g. "500ms", "30s", "5m", "2h", "3d"), or a whole number of milliseconds';

/** Parses a duration into milliseconds; throws `OF_FLOW_DURATION_INVALID` (a UserError) naming the fix. */
export function parseDuration(value: string | number): number {
  const ms = tryParseDuration(value);
  if (typeof ms === 'string') throw new UserError('OF_FLOW_DURATION_INVALID', `${ms}; ${DURATION_FIX}`, { value });
  return ms;
}

/** Like `parseDuration`, but answers the problem as a string instead of throwing (used by validation). */
export function tryParseDuration(value: unknown): number | string {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) return `duration ${String(value)} must be a whole, non-negative number of milliseconds`;
    ms = value;
  } else if (typeof value === 'string') {
    const m = DURATION.exec(value.trim());
    if (!m) return `duration ${JSON.stringify(value)} is not understood`;
    const unit = m[2] as keyof typeof UNIT_MS;
    ms = Math.round(Number(m[1]) * UNIT_MS[unit]);
  } else {
    return `a duration must be a string like "5m" or a number of milliseconds, got ${value === null ? 'null' : typeof value}`;
  }
  if (ms > MAX_DURATION_MS) return `duration ${JSON.stringify(value)} is longer than 366 days`;
  return ms;
}
