import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseFaultSpec } from '../../src/emulators/sapb1/faults.ts';
import { emulator, order, raw, stats, VERSIONS, type Raw } from './helpers.ts';

const emu = await emulator();
after(() => emu.close());

function batchBody(v: 'v1' | 'v2', parts: string[]): string {
  return `${parts.map((p) => `--batch_1\r\n${p}\r\n`).join('')}--batch_1--\r\n`;
}
function request(method: string, url: string, body?: unknown, contentId?: number): string {
  const id = contentId === undefined ? '' : `Content-ID: ${contentId}\r\n`;
  return `Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n${id}\r\n${method} ${url} HTTP/1.1\r\nContent-Type: application/json\r\n\r\n${body === undefined ? '' : JSON.stringify(body)}`;
}
function changeset(parts: string[]): string {
  return `Content-Type: multipart/mixed;boundary=cs_1\r\n\r\n${parts.map((p) => `--cs_1\r\n${p}\r\n`).join('')}--cs_1--`;
}

for (const v of VERSIONS) {
  describe(`SL $batch (${v})`, () => {
    let r: Raw;
    before(async () => {
      r = await raw(emu.origin, v);
    });
    const post = (body: string) => r.call('POST', '$batch', body, { 'Content-Type': 'multipart/mixed;boundary=batch_1' });

    it(`answers ${v === 'v1' ? 202 : 200} with one part per request, and resolves $<Content-ID> references inside a changeset`, async () => {
      const a = await post(batchBody(v, [
        request('GET', `/b1s/${v}/Items('A00001')?$select=ItemCode`),
        changeset([request('POST', `/b1s/${v}/Orders`, order(`B-${v}-ref`), 1), request('PATCH', '$1', { Comments: 'patched in batch' }, 2)]),
      ]));
      assert.equal(a.status, v === 'v1' ? 202 : 200);
      assert.match(a.headers.get('content-type')!, /^multipart\/mixed;boundary=batchresponse_/);
      const statuses = [...a.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
      assert.deepEqual(statuses, [200, 201, 204]);
      const found = await r.call('GET', `Orders?$filter=${encodeURIComponent(`NumAtCard eq 'B-${v}-ref'`)}`);
      assert.equal(found.json.value[0].Comments, 'patched in batch');
    });

    it('rolls a failed changeset back completely and stops at the first failed part', async () => {
      const before = (await stats(emu.origin)).counts.Orders!;
      const a = await post(batchBody(v, [
        changeset([request('POST', `/b1s/${v}/Orders`, order(`B-${v}-atomic`), 1), request('POST', `/b1s/${v}/Orders`, order(`B-${v}-atomic2`, [{ ItemCode: 'NOPE', Quantity: 1 }]), 2)]),
        request('GET', `/b1s/${v}/Items('A00001')`),
      ]));
      assert.equal(a.status, v === 'v1' ? 202 : 200);
      const statuses = [...a.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
      assert.deepEqual(statuses, [400]);
      assert.equal((await stats(emu.origin)).counts.Orders, before);
    });

    it('answers a malformed batch with 400 / -1000 Incomplete Batch Request Body!', async () => {
      const a = await post('--batch_1\r\nnothing');
      assert.equal(a.status, 400);
      assert.match(a.text, /Incomplete Batch Request Body!/);
    });

    if (v === 'v2') {
      it('requires a Content-ID on every changeset part in v2', async () => {
        const a = await post(batchBody(v, [changeset([request('POST', '/b1s/v2/Orders', order('B-v2-noid'))])]));
        assert.match(a.text, /HTTP\/1\.1 400/);
      });
    }
  });
}

describe('SL emulator faults', () => {
  it('parses global and per-endpoint rules from the --faults syntax', () => {
    assert.deepEqual(parseFaultSpec('latency=20;POST /Orders: drop=1, times=1;/Items: error=0.5, status=502, retryAfter=2;expire;slowlogin=300'), {
      expireSessions: true,
      rules: [{ latencyMs: 20 }, { method: 'POST', path: '/Orders', dropRate: 1, times: 1 }, { path: '/Items', errorRate: 0.5, errorStatus: 502, retryAfterS: 2 }, { slowLoginMs: 300 }],
    });
    assert.throws(() => parseFaultSpec('error=2'), /number from 0 to 1/);
    assert.throws(() => parseFaultSpec('bogus=1'), /unknown fault setting 'bogus'/);
  });

  it('injects an error status with Retry-After on the matching endpoint only, for the given number of times', async () => {
    const r = await raw(emu.origin, 'v1');
    emu.setFaults('GET /Items: error=1, status=503, retryAfter=3, times=1');
    const a = await r.call('GET', "Items('A00001')");
    assert.equal(a.status, 503);
    assert.equal(a.headers.get('retry-after'), '3');
    assert.equal((await r.call('GET', 'Warehouses')).status, 200);
    assert.equal((await r.call('GET', "Items('A00001')")).status, 200);
    emu.setFaults('');
  });

  it('commits the write and then drops the connection with drop', async () => {
    const r = await raw(emu.origin, 'v1');
    const before = (await stats(emu.origin)).counts.Orders!;
    await fetch(`${emu.origin}/_emulator/faults`, { method: 'PUT', body: JSON.stringify({ rules: [{ method: 'POST', path: '/Orders', dropRate: 1, times: 1 }] }) });
    await assert.rejects(r.call('POST', 'Orders', order('F-drop')));
    assert.equal((await stats(emu.origin)).counts.Orders, before + 1);
    const faults = (await (await fetch(`${emu.origin}/_emulator/faults`)).json()) as { rules: Array<{ times: number }> };
    assert.equal(faults.rules[0]!.times, 0);
    await fetch(`${emu.origin}/_emulator/faults`, { method: 'DELETE' });
  });

  it('adds latency and slow logins', async () => {
    emu.setFaults('latency=60;slowlogin=100');
    const t0 = performance.now();
    const r = await raw(emu.origin, 'v2');
    const t1 = performance.now();
    await r.call('GET', 'Warehouses');
    const t2 = performance.now();
    emu.setFaults('');
    assert.ok(t1 - t0 >= 150, `login took ${t1 - t0} ms`);
    assert.ok(t2 - t1 >= 55, `GET took ${t2 - t1} ms`);
  });

  it('resets to the seed with /_emulator/reset', async () => {
    const r = await raw(emu.origin, 'v1');
    await r.call('POST', 'Orders', order('F-reset'));
    await fetch(`${emu.origin}/_emulator/reset`, { method: 'POST' });
    const s = await stats(emu.origin);
    assert.equal(s.counts.Orders, 0);
    assert.equal(s.logins, 0);
    assert.equal((await r.call('GET', 'Warehouses')).status, 401);
  });

  it('persists the state to the state file when asked and starts from it again', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sapb1-')), 'state.json');
    const one = await emulator({ stateFile: file });
    const r = await raw(one.origin, 'v1');
    const o = (await r.call('POST', 'Orders', order('F-persist'))).json;
    assert.equal((await fetch(`${one.origin}/_emulator/save`, { method: 'POST' })).status, 200);
    await one.close();
    const two = await emulator({ stateFile: file });
    const r2 = await raw(two.origin, 'v1');
    const again = await r2.call('GET', `Orders(${o.DocEntry})`);
    assert.equal(again.json.NumAtCard, 'F-persist');
    const next = (await r2.call('POST', 'Orders', order('F-persist-2'))).json;
    assert.equal(next.DocEntry, o.DocEntry + 1);
    await two.close();
  });
});
