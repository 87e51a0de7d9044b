/**
 * A Service Layer that does not apply the page size asked for (`Prefer: odata.maxpagesize`, documented to
 * apply) answers a stock query in pages of 20: the items past the first page must not read as missing.
 * A proxy in front of the emulator drops every `Prefer` header, the outer one and those inside `$batch`.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/core/log.ts';
import { sapb1Actions as act, type SapB1Client } from '../../src/connectors/sapb1/index.ts';
import { client, emulator } from './helpers.ts';

const emu = await emulator();
const target = new URL(emu.origin);

/** Forwards everything to the emulator without its `Prefer` headers. */
const proxy = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('latin1').replace(/^Prefer: [^\r\n]*\r?\n/gim, '');
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: target.host, 'content-length': String(Buffer.byteLength(body, 'latin1')) };
    delete headers.prefer;
    const out = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.end(body, 'latin1');
  });
});

function ctx(c: SapB1Client) {
  return { connection: { name: 'erp', connector: 'sapb1', settings: {} }, client: c, log: silentLogger, runId: 'r1', stepId: 's1', attempt: 1, idempotencyKey: 'k1' };
}

describe('stock read through a Service Layer that pages by 20 whatever is asked', () => {
  let c: SapB1Client;
  before(async () => {
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    c = client(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, 'v1');
  });
  after(async () => {
    c.close();
    await new Promise((r) => proxy.close(r));
    await emu.close();
  });

  it('finds all 35 items of one GET, the 15 past the first page asked for again', async () => {
    const codes = Array.from({ length: 35 }, (_, i) => `A${String(i + 1).padStart(5, '0')}`);
    const out = await act.getItemsStock.run(ctx(c), { itemCodes: [...codes, 'NOPE'], warehouse: '01' });
    assert.deepEqual(out.items.map((i) => i.ItemCode), codes);
    assert.deepEqual(out.missing, ['NOPE']);
  });

  it('finds all 90 items of a $batch of GETs', async () => {
    const codes = Array.from({ length: 90 }, (_, i) => `A${String(i + 1).padStart(5, '0')}`);
    const out = await act.getItemsStock.run(ctx(c), { itemCodes: codes, warehouse: '01' });
    assert.equal(out.items.length, 90);
    assert.deepEqual(out.missing, []);
  });
});
