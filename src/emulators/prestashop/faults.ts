/**
 * Fault injection for the emulated Webservice. A spec is a comma-separated list (or the same as a JSON
 * object):
 *
 *   latency=MS | latency=MIN-MAX   delay every /api/ answer
 *   error-rate=P                   answer a fraction P of /api/ calls 500 (PHP error, code 2) before acting
 *   commit-drop=P                  apply a fraction P of writes, then drop the connection without answering
 *   disabled                       the webservice is off: every /api/ call gets 503, code 22
 *
 * Example: `latency=5-20,error-rate=0.05,commit-drop=0.02`.
 */

export interface Faults {
  latencyMinMs: number;
  latencyMaxMs: number;
  errorRate: number;
  commitDropRate: number;
  disabled: boolean;
}

export const NO_FAULTS: Faults = { latencyMinMs: 0, latencyMaxMs: 0, errorRate: 0, commitDropRate: 0, disabled: false };

function rate(name: string, v: unknown): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`fault '${name}' needs a rate between 0 and 1, got '${String(v)}'`);
  return n;
}

export function parseFaults(spec: string | object | undefined | null): Faults {
  const f: Faults = { ...NO_FAULTS };
  if (spec === undefined || spec === null || spec === '') return f;
  const entries: Array<[string, unknown]> =
    typeof spec === 'string'
      ? spec.split(',').map((p) => p.trim()).filter(Boolean).map((p) => {
          const [k = '', v] = p.split('=');
          return [k.trim(), v === undefined ? true : v.trim()];
        })
      : Object.entries(spec);
  for (const [key, value] of entries) {
    switch (key) {
      case 'latency':
      case 'latencyMs': {
        const [lo = '0', hi] = String(value).split('-');
        f.latencyMinMs = Number(lo);
        f.latencyMaxMs = Number(hi ?? lo);
        if (!Number.isFinite(f.latencyMinMs) || !Number.isFinite(f.latencyMaxMs)) throw new Error(`fault 'latency' needs MS or MIN-MAX, got '${String(value)}'`);
        break;
      }
      case 'error-rate':
      case 'errorRate':
        f.errorRate = rate(key, value);
        break;
      case 'commit-drop':
      case 'commitDrop':
        f.commitDropRate = rate(key, value);
        break;
      case 'disabled':
        f.disabled = value === true || value === 'true' || value === '1';
        break;
      default:
        throw new Error(`unknown fault '${key}': use latency, error-rate, commit-drop or disabled`);
    }
  }
  return f;
}

export function latencyOf(f: Faults): number {
  if (f.latencyMaxMs <= 0) return 0;
  return f.latencyMinMs + Math.random() * (f.latencyMaxMs - f.latencyMinMs);
}
