import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { hmacSha256, verifyHmacSha256 } from '../../src/connectors/kit/hmac.ts';

const secret = 'whsec_test';
const body = Buffer.from('{"id":42,"total":"19.90"}');
const good = createHmac('sha256', secret).update(body).digest('hex');

test('accepts the right hex signature of the raw body', () => {
  assert.equal(hmacSha256(secret, body), good);
  assert.equal(verifyHmacSha256(secret, body, good), true);
});

test('accepts a signature carrying the sha256= prefix', () => {
  assert.equal(verifyHmacSha256(secret, body, `sha256=${good}`), true);
});

test('accepts upper-case hex, as some senders write it', () => {
  assert.equal(verifyHmacSha256(secret, body, good.toUpperCase()), true);
});

test('rejects a signature made with another secret', () => {
  const other = createHmac('sha256', 'another').update(body).digest('hex');
  assert.equal(verifyHmacSha256(secret, body, other), false);
});

test('rejects a signature of another body', () => {
  assert.equal(verifyHmacSha256(secret, Buffer.from('{"id":43}'), good), false);
});

test('rejects a signature of the wrong length without throwing', () => {
  assert.equal(verifyHmacSha256(secret, body, good.slice(0, 10)), false);
  assert.equal(verifyHmacSha256(secret, body, `${good}00`), false);
  assert.equal(verifyHmacSha256(secret, body, ''), false);
  assert.equal(verifyHmacSha256(secret, body, undefined), false);
});

test('rejects a prefix alone and a prefix with the wrong digest', () => {
  assert.equal(verifyHmacSha256(secret, body, 'sha256='), false);
  assert.equal(verifyHmacSha256(secret, body, `sha256=${'0'.repeat(64)}`), false);
});

test('verifies base64 signatures when asked to', () => {
  const b64 = createHmac('sha256', secret).update(body).digest('base64');
  assert.equal(verifyHmacSha256(secret, body, b64, 'base64'), true);
  assert.equal(verifyHmacSha256(secret, body, b64, 'hex'), false);
  assert.equal(verifyHmacSha256(secret, body, good, 'base64'), false);
});
