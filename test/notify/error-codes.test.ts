import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

test('every error code raised by the notifications code is documented in docs/errors.md', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const doc = fs.readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
  const files = fs.readdirSync(path.join(root, 'src/notify'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const codes = new Set(files.flatMap((f) => [...fs.readFileSync(path.join(root, 'src/notify', f), 'utf8').matchAll(/'(OF_NOTIFY_[A-Z_]+)'/g)].map((m) => m[1]!)));
  assert.ok(codes.size > 10);
  const missing = [...codes].filter((c) => !doc.includes(`| ${c} |`));
  assert.deepEqual(missing, [], `add these codes to docs/errors.md: ${missing.join(', ')}`);
});
