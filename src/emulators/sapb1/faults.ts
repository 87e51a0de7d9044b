/**
 * Fault injection for the emulator. A spec is a list of rules separated by `;`. A rule is an optional scope
 * (`[METHOD ]/Path:`) followed by comma-separated settings; a rule without scope is global:
 *
 *   latency=20;POST /Orders: drop=1, times=1;/Items: error=0.5, status=502, retryAfter=2;expire;slowlogin=300
 *
 * Settings: `latency=MS`, `error=RATE` (0..1) with `status=500|502|503` (default 503) and `retryAfter=S`,
 * `drop=RATE` (commit the write, then drop the connection; `dropMode=hang` never answers instead),
 * `slowlogin=MS`, `times=N` (the rule applies to its next N matching requests only), and the action
 * `expire` (every session expires now). docs/sapb1.md documents the same syntax.
 */

export interface FaultSettings {
  latencyMs?: number;
  errorRate?: number;
  errorStatus?: 500 | 502 | 503;
  retryAfterS?: number;
  dropRate?: number;
  dropMode?: 'reset' | 'hang';
  slowLoginMs?: number;
  times?: number;
}

export interface FaultRule extends FaultSettings {
  method?: string;
  /** Entity set or endpoint, e.g. `/Orders` (matches `/Orders(5)/Close` too), `/Login`, `/$batch`. */
  path?: string;
}

export interface FaultSpec {
  rules?: FaultRule[];
  /** Expire every session now (a one-off action, not a standing rule). */
  expireSessions?: boolean;
}

/** What the HTTP layer must do for one request. */
export interface FaultDecision {
  delayMs: number;
  error?: { status: number; retryAfterS?: number | undefined };
  drop?: 'reset' | 'hang';
}

function num(key: string, v: string | undefined, min: number, max: number): number {
  const n = v === undefined ? 1 : Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`fault setting '${key}' needs a number from ${min} to ${max}, got '${v ?? ''}'`);
  return n;
}

export function parseFaultSpec(spec: string): FaultSpec {
  const out: FaultSpec = { rules: [] };
  for (const raw of spec.split(';')) {
    const text = raw.trim();
    if (!text) continue;
    const scoped = /^(?:([A-Za-z]+)\s+)?(\/[^:\s]*)\s*:\s*(.*)$/.exec(text);
    const rule: FaultRule = {};
    if (scoped) {
      if (scoped[1]) rule.method = scoped[1].toUpperCase();
      rule.path = scoped[2]!;
    }
    const settings = scoped ? scoped[3]! : text;
    for (const s of settings.split(',')) {
      const [k, v] = s.split('=').map((p) => p.trim()) as [string, string | undefined];
      switch (k.toLowerCase()) {
        case '':
          break;
        case 'latency':
          rule.latencyMs = num(k, v, 0, 600_000);
          break;
        case 'error':
          rule.errorRate = num(k, v, 0, 1);
          break;
        case 'status': {
          const st = num(k, v, 500, 503);
          if (st !== 500 && st !== 502 && st !== 503) throw new Error(`fault setting 'status' must be 500, 502 or 503, got '${v ?? ''}'`);
          rule.errorStatus = st;
          break;
        }
        case 'retryafter':
          rule.retryAfterS = num(k, v, 0, 3600);
          break;
        case 'drop':
          rule.dropRate = num(k, v, 0, 1);
          break;
        case 'dropmode':
          if (v !== 'reset' && v !== 'hang') throw new Error(`fault setting 'dropMode' must be reset or hang, got '${v ?? ''}'`);
          rule.dropMode = v;
          break;
        case 'slowlogin':
          rule.slowLoginMs = num(k, v, 0, 600_000);
          break;
        case 'times':
          rule.times = num(k, v, 1, 1e9);
          break;
        case 'expire':
          out.expireSessions = true;
          break;
        default:
          throw new Error(`unknown fault setting '${k}' in '${text}'; see docs/sapb1.md`);
      }
    }
    if (Object.keys(rule).some((key) => key !== 'method' && key !== 'path')) out.rules!.push(rule);
  }
  return out;
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method !== method) return false;
  if (!rule.path || rule.path === '/') return true;
  const p = rule.path;
  return path === p || path.startsWith(`${p}(`) || path.startsWith(`${p}/`);
}

export class Faults {
  private rules: FaultRule[] = [];

  /** Replaces the standing rules; returns whether sessions must expire now. */
  set(spec: string | FaultSpec): boolean {
    const parsed = typeof spec === 'string' ? parseFaultSpec(spec) : spec;
    this.rules = (parsed.rules ?? []).map((r) => ({ ...r }));
    return parsed.expireSessions === true;
  }

  current(): FaultSpec {
    return { rules: this.rules.map((r) => ({ ...r })) };
  }

  clear(): void {
    this.rules = [];
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  decide(method: string, path: string): FaultDecision {
    const d: FaultDecision = { delayMs: 0 };
    for (const rule of this.rules) {
      if (!matches(rule, method, path)) continue;
      if (rule.times !== undefined) {
        if (rule.times <= 0) continue;
        rule.times--;
      }
      d.delayMs += rule.latencyMs ?? 0;
      if (path === '/Login') d.delayMs += rule.slowLoginMs ?? 0;
      if (!d.error && rule.errorRate !== undefined && Math.random() < rule.errorRate) {
        d.error = { status: rule.errorStatus ?? 503, retryAfterS: rule.retryAfterS };
      }
      if (!d.drop && rule.dropRate !== undefined && Math.random() < rule.dropRate) d.drop = rule.dropMode ?? 'reset';
    }
    return d;
  }
}
