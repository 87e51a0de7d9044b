/** Shop-local dates to instants, across the days the clocks change. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shopDateToIso } from '../../src/connectors/prestashop/time.ts';

function wallIn(timeZone: string, iso: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

test('a shop date converts to the instant whose wall time in the shop zone it is, around every clock change', () => {
  const days: Array<[string, string]> = [
    ['Europe/Madrid', '2026-03-29'], ['Europe/Madrid', '2026-10-25'], ['America/New_York', '2026-03-08'], ['America/New_York', '2026-11-01'],
    ['Australia/Lord_Howe', '2026-04-05'], ['Asia/Kolkata', '2026-06-01'], ['UTC', '2026-01-01'],
  ];
  for (const [zone, day] of days) {
    for (let minute = 0; minute < 24 * 60; minute += 7) {
      for (const second of ['00', '59']) {
        const wall = `${day} ${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:${second}`;
        const iso = shopDateToIso(wall, zone);
        assert.ok(iso, `${wall} ${zone}`);
        const back = wallIn(zone, iso);
        // A wall time the clock skipped (spring forward) exists nowhere; every other one must come back as it was.
        if (back !== wall) assert.ok(Math.abs(Date.parse(`${back.replace(' ', 'T')}Z`) - Date.parse(`${wall.replace(' ', 'T')}Z`)) <= 3_600_000, `${wall} ${zone} came back as ${back}`);
        else assert.equal(back, wall);
      }
    }
  }
  assert.equal(shopDateToIso('2026-03-29 01:59:59', 'Europe/Madrid'), '2026-03-29T00:59:59.000Z');
  assert.equal(shopDateToIso('2026-03-29 03:00:00', 'Europe/Madrid'), '2026-03-29T01:00:00.000Z');
  assert.equal(shopDateToIso('2026-07-01 12:00:00', 'Europe/Madrid'), '2026-07-01T10:00:00.000Z');
  assert.equal(shopDateToIso('0000-00-00 00:00:00', 'Europe/Madrid'), undefined);
});
