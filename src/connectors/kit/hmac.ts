import { createHmac, timingSafeEqual } from 'node:crypto';

export type HmacEncoding = 'hex' | 'base64';

export function hmacSha256(secret: string, data: string | Buffer, encoding: HmacEncoding = 'hex'): string {
  return createHmac('sha256', secret).update(data).digest(encoding);
}

/**
 * Verifies an HMAC-SHA256 signature in constant time. `received` may carry a `sha256=` prefix.
 * A length mismatch returns false without comparing (timingSafeEqual throws on unequal lengths).
 */
export function verifyHmacSha256(secret: string, data: string | Buffer, received: string | undefined, encoding: HmacEncoding = 'hex'): boolean {
  if (!received) return false;
  const sig = received.startsWith('sha256=') ? received.slice('sha256='.length) : received;
  const expected = Buffer.from(hmacSha256(secret, data, encoding));
  const actual = Buffer.from(sig.trim());
  if (expected.length !== actual.length) return false;
  return timingSafeEqual(expected, actual);
}
