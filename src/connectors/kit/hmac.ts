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
  const trimmed = received.trim();
  const sig = trimmed.toLowerCase().startsWith('sha256=') ? trimmed.slice('sha256='.length) : trimmed;
  const expected = Buffer.from(hmacSha256(secret, data, encoding));
  // Hex is case-insensitive (some senders write upper case); base64 is not.
  const actual = Buffer.from(encoding === 'hex' ? sig.toLowerCase() : sig);
  if (expected.length !== actual.length) return false;
  return timingSafeEqual(expected, actual);
}
