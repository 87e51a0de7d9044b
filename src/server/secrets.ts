/**
 * Secrets never leave the server (invariant 7): whatever the API answers or the server logs passes
 * through `scrubSecrets`, which replaces the value of every key that names a secret.
 */

/** Keys whose values are secrets, wherever they appear (matched case-insensitively, ignoring `-` and `_`). */
const SECRET_KEY = /^(password|passwd|token|apitoken|accesstoken|refreshtoken|secret|clientsecret|webhooksecret|apikey|xapikey|authorization|cookie|setcookie|authtoken)$/;

export const REDACTED = '[redacted]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[-_]/g, ''));
}

/** A deep copy of `value` with every secret-named key's value replaced. Cycles and depth are bounded. */
export function scrubSecrets<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => scrubSecrets(v, depth + 1)) as T;
  // fromEntries defines own properties, so a `__proto__` key from a JSON body stays plain data.
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, isSecretKey(k) ? REDACTED : scrubSecrets(v, depth + 1)])) as T;
}

/**
 * pino `redact` paths for the server's log lines: request headers that carry credentials and any field
 * named like a secret, up to two levels deep (pino's wildcards match one level each).
 */
export const SERVER_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  ...['password', 'token', 'secret', 'apiKey', 'apiToken'].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];
