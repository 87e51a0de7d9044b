import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { AmbiguousWriteError, TransientError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import { parseSapError } from '../../src/connectors/sapb1/errors.ts';
import { parseSetCookies } from '../../src/connectors/sapb1/session.ts';
import { sapb1Actions as act, sapb1Connector, type SapB1Client } from '../../src/connectors/sapb1/index.ts';
import { client, emulator, kit, order, stats, VERSIONS } from './helpers.ts';

const emu = await emulator();
after(() => emu.close());
afterEach(() => emu.setFaults(''));

const ctx = (c: SapB1Client, attempt = 1) => ({ connection: { name: 'erp', connector: 'sapb1', settings: {} }, client: c, log: silentLogger, runId: 'r', stepId: 's', attempt, idempotencyKey: 'k' });

async function ordersWithRef(c: SapB1Client, ref: string): Promise<number> {
  const rows = await c.getAll(`Orders?$select=DocEntry&$filter=${encodeURIComponent(`NumAtCard eq '${ref}'`)}`);
  return rows.length;
}

/** What the engine does with a write step: run; on an ambiguous failure reconcile first, then retry only if absent. */
async function runWriteStep<I, O>(
  def: { run(c: ReturnType<typeof ctx>, i: I): Promise<O>; reconcile?(c: ReturnType<typeof ctx>, i: I): Promise<O | undefined> },
  c: SapB1Client,
  input: I,
): Promise<{ result: O; failures: unknown[] }> {
  const failures: unknown[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      if (failures.at(-1) instanceof AmbiguousWriteError && def.reconcile) {
        const found = await def.reconcile(ctx(c, attempt), input);
        if (found !== undefined) return { result: found, failures };
      }
      return { result: await def.run(ctx(c, attempt), input), failures };
    } catch (e) {
      if (!(e instanceof AmbiguousWriteError || e instanceof TransientError) || attempt >= 5) throw e;
      failures.push(e);
    }
  }
}

describe('sapb1 client error shapes', () => {
  it('reads code as number or string and message as object or string', () => {
    assert.deepEqual(parseSapError('{"error":{"code":301,"message":{"lang":"en-us","value":"Invalid session or session already timeout."}}}'), { code: '301', message: 'Invalid session or session already timeout.' });
    assert.deepEqual(parseSapError('{"error":{"code":"301","message":"Invalid session or session already timeout."}}'), { code: '301', message: 'Invalid session or session already timeout.' });
    assert.deepEqual(parseSapError('{"error":{"code":"-2028","details":[{"code":"","message":""}],"message":"No matching records found (ODBC -2028)"}}'), { code: '-2028', message: 'No matching records found (ODBC -2028)' });
    assert.deepEqual(parseSapError('<html>503</html>'), { code: undefined, message: undefined });
  });

  it("parses SL's Set-Cookie lines by hand, including the trailing ';' without Path", () => {
    const c = parseSetCookies(['B1SESSION=abc-123;HttpOnly;', 'ROUTEID=.node2; path=/b1s']);
    assert.equal(c.get('B1SESSION'), 'abc-123');
    assert.equal(c.get('ROUTEID'), '.node2');
  });
});

for (const v of VERSIONS) {
  describe(`sapb1 client under faults (${v})`, () => {
    it('raises a TransientError with retryAfter on a 503 and creates nothing', async () => {
      const c = client(emu.origin, v);
      emu.setFaults('POST /Orders: error=1, status=503, retryAfter=7, times=1');
      await assert.rejects(act.createSalesOrder.run(ctx(c), order(`F-${v}-503`)), (e: unknown) => {
        assert.ok(e instanceof TransientError);
        assert.equal(e.retryAfterMs, 7000);
        return true;
      });
      assert.equal(await ordersWithRef(c, `F-${v}-503`), 0);
      const created = await act.createSalesOrder.run(ctx(c), order(`F-${v}-503`));
      assert.equal(await ordersWithRef(c, `F-${v}-503`), 1);
      assert.ok(created.DocEntry > 0);
      c.close();
    });

    it('treats a 502 on a read as transient and on a write as ambiguous', async () => {
      const c = client(emu.origin, v);
      await c.get('Warehouses');
      emu.setFaults('/Warehouses: error=1, status=502, times=1;POST /Orders: error=1, status=500, times=1');
      await assert.rejects(c.get('Warehouses'), (e: unknown) => e instanceof TransientError);
      await assert.rejects(act.createSalesOrder.run(ctx(c), order(`F-${v}-500`)), (e: unknown) => e instanceof AmbiguousWriteError);
      c.close();
    });

    it('leaves exactly one order after a commit-then-drop on creation, reconcile and retry', async () => {
      const c = client(emu.origin, v);
      const ref = `F-${v}-drop`;
      emu.setFaults('POST /Orders: drop=1, times=1');
      const { result, failures } = await runWriteStep(act.createSalesOrder, c, order(ref));
      assert.equal(failures.length, 1);
      assert.ok(failures[0] instanceof AmbiguousWriteError);
      assert.equal(result.adopted, true);
      assert.equal(await ordersWithRef(c, ref), 1);
      c.close();
    });

    it('times out on a commit-then-hang and still leaves exactly one order', async () => {
      const c = client(emu.origin, v, { timeoutMs: 300 });
      const ref = `F-${v}-hang`;
      emu.setFaults('POST /Orders: drop=1, dropMode=hang, times=1');
      const { result, failures } = await runWriteStep(act.createSalesOrder, c, order(ref));
      assert.equal((failures[0] as AmbiguousWriteError).code, 'OF_HTTP_WRITE_TIMEOUT');
      assert.equal(result.adopted, true);
      assert.equal(await ordersWithRef(c, ref), 1);
      c.close();
    });

    it('logs in again once when the session expires in the middle of a sequence, and replays the call', async () => {
      const c = client(emu.origin, v);
      const before = (await stats(emu.origin)).logins;
      const o = await act.createSalesOrder.run(ctx(c), order(`F-${v}-seq`));
      emu.setFaults('expire');
      const d = await act.createDelivery.run(ctx(c), { CardCode: 'C0001', DocumentLines: [{ BaseType: 17, BaseEntry: o.DocEntry, BaseLine: 0 }] });
      assert.ok(d.DocEntry > 0);
      const doc = await act.getDocument.run(ctx(c), { entity: 'Orders', docEntry: o.DocEntry });
      assert.equal(doc?.DocumentStatus, 'bost_Close');
      assert.equal((await stats(emu.origin)).logins - before, 2);
      assert.equal(c.sessions.logins, 2);
      c.close();
    });

    it('makes 50 parallel calls after expiry cause exactly one login', async () => {
      const c = client(emu.origin, v);
      await c.get('Warehouses');
      emu.setFaults('expire');
      const before = (await stats(emu.origin)).logins;
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => act.getCreditPosition.run(ctx(c), { cardCode: `C${String((i % 50) + 1).padStart(4, '0')}` })));
      assert.equal(results.length, 50);
      assert.equal((await stats(emu.origin)).logins - before, 1);
      assert.equal(c.sessions.logins, 2);
      c.close();
    });

    it('logs in once for 50 parallel first calls too', async () => {
      const c = client(emu.origin, v);
      const before = (await stats(emu.origin)).logins;
      await Promise.all(Array.from({ length: 50 }, () => c.get('Warehouses')));
      assert.equal((await stats(emu.origin)).logins - before, 1);
      c.close();
    });

    it('reports bad credentials as a user error naming the settings to fix', async () => {
      const c = client(emu.origin, v, { password: 'wrong' });
      await assert.rejects(c.get('Warehouses'), { kind: 'user', code: 'OF_SAP_LOGIN_FAILED', message: /check companyDb, username and password/ });
      c.close();
    });

    it('keeps at most `concurrency` requests in flight', async () => {
      const c = client(emu.origin, v, { concurrency: 2 });
      await c.get('Warehouses');
      emu.setFaults('latency=30');
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 6 }, () => c.get('Warehouses')));
      // 6 calls, 2 at a time, 30 ms each: at least 3 rounds.
      assert.ok(performance.now() - t0 >= 85);
      c.close();
    });
  });
}

describe('sapb1 connector lifecycle', () => {
  it('logs out when the connector closes its client', async () => {
    const c = sapb1Connector.createClient({ name: 'erp', connector: 'sapb1', settings: { baseUrl: emu.url, companyDb: 'SBODEMO', username: 'manager', password: '1234' } }, kit);
    await c.get('Warehouses');
    const open = (await (await fetch(`${emu.origin}/_emulator/stats`)).json()) as { activeSessions: number };
    await sapb1Connector.close!(c);
    const closed = (await (await fetch(`${emu.origin}/_emulator/stats`)).json()) as { activeSessions: number };
    assert.equal(closed.activeSessions, open.activeSessions - 1);
  });
});
