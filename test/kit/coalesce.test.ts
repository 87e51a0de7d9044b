/** The kit's read coalescer: batches form within a turn and behind a busy batch; each caller keeps its own outcome. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Coalescer, TransientError, UserError } from '../../src/connectors/kit/index.ts';

interface Probe {
  many: string[][];
  one: string[];
}

/** A coalescer over a fake peer that knows the keys `known` (value: the key upper-cased). */
function make(opts: { known?: string[]; maxBatch?: number; maxInFlight?: number; many?: (keys: string[]) => Promise<Map<string, string>> } = {}) {
  const known = new Set(opts.known ?? ['a', 'b', 'c', 'd', 'e', 'f']);
  const probe: Probe = { many: [], one: [] };
  const c = new Coalescer<string, string>({
    fetchMany: async (keys) => {
      probe.many.push([...keys]);
      if (opts.many) return opts.many(keys);
      return new Map(keys.filter((k) => known.has(k)).map((k) => [k, k.toUpperCase()]));
    },
    fetchOne: async (key) => {
      probe.one.push(key);
      if (!known.has(key)) throw new UserError('NOT_FOUND', `no ${key}`);
      return key.toUpperCase();
    },
    maxBatch: opts.maxBatch ?? 10,
    maxInFlight: opts.maxInFlight ?? 1,
  });
  return { c, probe };
}

describe('Coalescer', () => {
  it('sends the keys asked for in one turn as one batch, and a lone key by the single read', async () => {
    const { c, probe } = make();
    assert.deepEqual(await Promise.all(['a', 'b', 'c'].map((k) => c.load(k))), ['A', 'B', 'C']);
    assert.deepEqual(probe.many, [['a', 'b', 'c']]);
    assert.deepEqual(await c.load('d'), 'D');
    assert.deepEqual(probe.one, ['d']);
    assert.equal(probe.many.length, 1);
    assert.deepEqual(c.stats, { asked: 4, sent: 2 });
  });

  it('reads a key twice asked for once, and both callers get its value', async () => {
    const { c, probe } = make();
    assert.deepEqual(await Promise.all(['a', 'b', 'a'].map((k) => c.load(k))), ['A', 'B', 'A']);
    assert.deepEqual(probe.many, [['a', 'b']]);
  });

  it('reads a key the batch did not answer alone: the caller gets the single read\'s own error', async () => {
    const { c, probe } = make();
    const [a, nope, b] = await Promise.allSettled(['a', 'nope', 'b'].map((k) => c.load(k)));
    assert.deepEqual(a, { status: 'fulfilled', value: 'A' });
    assert.deepEqual(b, { status: 'fulfilled', value: 'B' });
    assert.equal(nope?.status, 'rejected');
    assert.equal((nope as PromiseRejectedResult).reason.code, 'NOT_FOUND');
    assert.deepEqual(probe.one, ['nope']);
  });

  it('fails every caller of a batch with a retryable error, without reading them again', async () => {
    const { c, probe } = make({ many: async () => { throw new TransientError('DOWN', 'peer down'); } });
    const out = await Promise.allSettled(['a', 'b', 'c'].map((k) => c.load(k)));
    for (const r of out) assert.equal(r.status === 'rejected' && r.reason.code, 'DOWN');
    assert.deepEqual(probe.one, []);
  });

  it('does not share any other batch failure: each key is read alone and only the bad one fails', async () => {
    const { c, probe } = make({ many: async () => { throw new UserError('BAD_QUERY', 'one key broke the filter'); } });
    const out = await Promise.allSettled(['a', 'bad', 'c'].map((k) => c.load(k)));
    assert.deepEqual(out.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal((out[1] as PromiseRejectedResult).reason.code, 'NOT_FOUND');
    assert.deepEqual([...probe.one].sort(), ['a', 'bad', 'c']);
    assert.deepEqual(c.stats, { asked: 3, sent: 4 });
  });

  it('splits at maxBatch', async () => {
    const { c, probe } = make({ maxBatch: 2, maxInFlight: 3 });
    assert.deepEqual(await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => c.load(k))), ['A', 'B', 'C', 'D', 'E']);
    assert.deepEqual(probe.many, [['a', 'b'], ['c', 'd']]);
    assert.deepEqual(probe.one, ['e']);
  });

  it('while maxInFlight batches are out, later keys queue and go together when one comes back', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const { c, probe } = make({
      many: async (keys) => {
        if (first) {
          first = false;
          await gate;
        }
        return new Map(keys.map((k) => [k, k.toUpperCase()]));
      },
    });
    const early = Promise.all([c.load('a'), c.load('b')]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(c.pending, { queued: 0, inFlight: 1 });
    // Three turns, three keys: none goes out while the first batch is out.
    const late: Promise<string>[] = [];
    for (const k of ['c', 'd', 'e']) {
      late.push(c.load(k));
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(c.pending, { queued: 3, inFlight: 1 });
    release();
    assert.deepEqual(await early, ['A', 'B']);
    assert.deepEqual(await Promise.all(late), ['C', 'D', 'E']);
    assert.deepEqual(probe.many, [['a', 'b'], ['c', 'd', 'e']]);
  });

  it('stops counting a batch out longer than stallMs: one stuck request does not hold every read of its kind', async () => {
    const never = new Promise<Map<string, string>>(() => undefined);
    let calls = 0;
    const c = new Coalescer<string, string>({
      fetchMany: async (keys) => (++calls === 1 ? never : new Map(keys.map((k) => [k, k.toUpperCase()]))),
      fetchOne: async (k) => k.toUpperCase(),
      maxBatch: 10,
      maxInFlight: 1,
      stallMs: 30,
    });
    void c.load('a');
    void c.load('b');
    await new Promise((r) => setImmediate(r));
    const late = Promise.all([c.load('c'), c.load('d')]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(c.pending, { queued: 2, inFlight: 1 });
    // The stall timer does not hold the process open (unref'd): this test holds it while it waits.
    const alive = setTimeout(() => undefined, 5000);
    assert.deepEqual(await late, ['C', 'D']);
    clearTimeout(alive);
    assert.equal(calls, 2);
  });

  it('refuses a batch size or in-flight count below 1', () => {
    assert.throws(() => new Coalescer({ fetchMany: async () => new Map(), fetchOne: async () => 1, maxBatch: 0, maxInFlight: 1 }), RangeError);
    assert.throws(() => new Coalescer({ fetchMany: async () => new Map(), fetchOne: async () => 1, maxBatch: 1, maxInFlight: 0 }), RangeError);
  });
});
