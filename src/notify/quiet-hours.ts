/**
 * Quiet hours: a daily window (in a time zone) when non-urgent notifications wait. A window may span
 * midnight ("22:00"–"07:00"). Deferred messages are stored and sent when the window ends, never dropped.
 */
import type { QuietHoursConfig } from './types.ts';

const MINUTE = 60_000;

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function localMinutes(now: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(now));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** When the current quiet window ends (epoch ms), or null when `now` is outside it. */
export function quietUntil(now: number, cfg: QuietHoursConfig | undefined): number | null {
  if (!cfg) return null;
  const start = minutesOf(cfg.start);
  const end = minutesOf(cfg.end);
  if (start === end) return null;
  const cur = localMinutes(now, cfg.timeZone ?? 'UTC');
  const inside = start < end ? cur >= start && cur < end : cur >= start || cur < end;
  if (!inside) return null;
  const minutesLeft = (end - cur + 24 * 60) % (24 * 60);
  // Start of the current minute + what is left: the first minute outside the window.
  return now - (now % MINUTE) + minutesLeft * MINUTE;
}
