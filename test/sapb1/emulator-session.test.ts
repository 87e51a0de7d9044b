import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emulator, LOGIN, Raw, raw, sapCode, sapMessage, VERSIONS } from './helpers.ts';

const emu = await emulator();
after(() => emu.close());

for (const v of VERSIONS) {
  describe(`SL sessions (${v})`, () => {
    it('answers a good login with 200, the session body and the B1SESSION and ROUTEID cookies exactly as SL sends them', async () => {
      const r = new Raw(emu.origin, v);
      const a = await r.call('POST', 'Login', LOGIN);
      assert.equal(a.status, 200);
      assert.match(a.json.SessionId, /^[0-9a-f-]{36}$/);
      assert.equal(a.json.SessionTimeout, 30);
      assert.equal(typeof a.json.Version, 'string');
      if (v === 'v1') assert.match(a.json['odata.metadata'], /\$metadata#B1Sessions\/@Element$/);
      else assert.match(a.json['@odata.context'], /\$metadata#B1Sessions\/\$entity$/);
      assert.deepEqual(a.headers.getSetCookie(), [`B1SESSION=${a.json.SessionId};HttpOnly;`, 'ROUTEID=.node1; path=/b1s']);
    });

    it('refuses bad credentials with 401', async () => {
      const a = await new Raw(emu.origin, v).call('POST', 'Login', { ...LOGIN, Password: 'wrong' });
      assert.equal(a.status, 401);
      assert.equal(sapCode(a), '-304');
    });

    it('answers a request without a session with 401 and code 301 in the version shape', async () => {
      const a = await new Raw(emu.origin, v).call('GET', 'Items');
      assert.equal(a.status, 401);
      assert.equal(sapMessage(a), 'Invalid session or session already timeout.');
      if (v === 'v1') assert.deepEqual(a.json, { error: { code: 301, message: { lang: 'en-us', value: 'Invalid session or session already timeout.' } } });
      else assert.deepEqual(a.json, { error: { code: '301', message: 'Invalid session or session already timeout.' } });
    });

    it('accepts the B1SESSION cookie alone (ROUTEID is optional)', async () => {
      const r = await raw(emu.origin, v);
      r.cookie = r.cookie.split(';')[0]!;
      assert.equal((await r.call('GET', 'Warehouses')).status, 200);
    });

    it('ends the session on Logout with 204; the cookie is then rejected', async () => {
      const r = await raw(emu.origin, v);
      assert.equal((await r.call('POST', 'Logout')).status, 204);
      assert.equal((await r.call('GET', 'Warehouses')).status, 401);
    });

    it('sends the OData version header of the version', async () => {
      const r = await raw(emu.origin, v);
      const a = await r.call('GET', 'Warehouses');
      if (v === 'v1') assert.equal(a.headers.get('dataserviceversion'), '3.0');
      else assert.equal(a.headers.get('odata-version'), '4.0');
      assert.equal(a.headers.get('content-type'), v === 'v1' ? 'application/json;odata=minimalmetadata;charset=utf-8' : 'application/json;charset=utf-8');
    });
  });
}

describe('SL idle session timeout', () => {
  let short: Awaited<ReturnType<typeof emulator>>;
  before(async () => {
    short = await emulator({ sessionTimeoutMinutes: 1 });
  });
  after(() => short.close());

  it('expires a session idle longer than SessionTimeout minutes and keeps one that is used', async () => {
    const idle = await raw(short.origin, 'v1');
    const busy = await raw(short.origin, 'v1');
    const advance = (s: number) => fetch(`${short.origin}/_emulator/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: s }) });
    await advance(40);
    assert.equal((await busy.call('GET', 'Warehouses')).status, 200);
    await advance(40);
    assert.equal((await busy.call('GET', 'Warehouses')).status, 200);
    const a = await idle.call('GET', 'Warehouses');
    assert.equal(a.status, 401);
    assert.equal(sapCode(a), '301');
  });

  it('expires every session at once when the expire fault is set', async () => {
    const r = await raw(short.origin, 'v2');
    await fetch(`${short.origin}/_emulator/faults`, { method: 'POST', body: 'expire' });
    assert.equal((await r.call('GET', 'Warehouses')).status, 401);
  });
});
