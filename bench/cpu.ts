/**
 * CPU time of the processes a benchmark runs (Linux /proc; elsewhere the figures are NaN): where the
 * machine's cores go, per unit of work.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** user + system CPU milliseconds of a process so far. */
export function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime (fields 14 and 15 of stat), in clock ticks of 10 ms on Linux.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** CPU milliseconds of every process of this name so far (all PostgreSQL backends and helpers, say). */
export function namedCpuMs(name: string): number {
  let total = 0;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/stat`, 'utf8').includes(`(${name})`)) total += processCpuMs(Number(entry));
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    return NaN;
  }
  return total;
}

/** Snapshots of the named parts; `perUnit` gives each one's CPU ms per unit of work since the snapshot. */
export function cpuMeter(parts: Record<string, () => number>): { perUnit: (units: number) => Record<string, number> } {
  const start = Object.fromEntries(Object.entries(parts).map(([k, read]) => [k, read()]));
  return {
    perUnit: (units) => Object.fromEntries(Object.entries(parts).map(([k, read]) => [k, (read() - (start[k] ?? NaN)) / units])),
  };
}
