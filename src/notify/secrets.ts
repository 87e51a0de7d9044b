/**
 * Secrets in the notification configuration: `${ENV_NAME}` references are resolved from the environment,
 * and every resolved value is remembered so that it can be masked wherever text leaves the process
 * (logs, the notifications table, API answers). Phone numbers are masked too: they are personal data.
 */
import { UserError } from '../core/errors.ts';

const REF = /\$\{([A-Z_][A-Z0-9_]*)\}/g;
export const MASK = '***';

export class SecretRedactor {
  private readonly values = new Set<string>();

  add(value: string): void {
    // Very short values would mask ordinary words; nobody uses a 3-character password with a relay.
    if (value.length >= 4) this.values.add(value);
  }

  /** Replaces every known secret (and its base64 form, as in a Basic auth header) by `***`. */
  redact(text: string): string {
    let out = text;
    for (const v of this.values) {
      out = out.split(v).join(MASK);
      const b64 = Buffer.from(v).toString('base64');
      if (b64.length >= 8) out = out.split(b64).join(MASK);
    }
    return out;
  }

  get size(): number {
    return this.values.size;
  }
}

/**
 * Resolves `${NAME}` references in every string of `value` (deeply) from `env`. Values that came from a
 * reference are secrets by default; a missing variable is a UserError naming the path and the variable.
 */
export function resolveEnvRefs<T>(value: T, env: NodeJS.ProcessEnv, redactor: SecretRedactor, path = 'notifications'): T {
  if (typeof value === 'string') {
    return value.replace(REF, (_m, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') {
        throw new UserError('OF_NOTIFY_ENV_MISSING', `${path} refers to \${${name}}, but the environment variable ${name} is not set; set it (or remove the reference)`, { path, variable: name });
      }
      redactor.add(v);
      return v;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveEnvRefs(v as unknown, env, redactor, `${path}[${i}]`)) as T;
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveEnvRefs(v, env, redactor, `${path}.${k}`);
    return out as T;
  }
  return value;
}

/** `+34612345678` → `+34*******678`: enough to tell numbers apart in a list, not enough to call. */
export function maskPhone(e164: string): string {
  if (e164.length <= 6) return MASK;
  return `${e164.slice(0, 3)}${'*'.repeat(e164.length - 6)}${e164.slice(-3)}`;
}

/** A URL without its query string and credentials (tokens often travel there). */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    const q = u.search ? '?***' : '';
    return `${u.protocol}//${u.host}${u.pathname}${q}`;
  } catch {
    return MASK;
  }
}
