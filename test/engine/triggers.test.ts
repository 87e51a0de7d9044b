/**
 * Cluster-wide singletons on one PostgreSQL store: two engines (as two processes would be) each run a
 * scheduler and a poller manager; each schedule slot starts one run, and one polling trigger is polled
 * by one of them only, the other taking over when the first stops.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineConnector } from '../../src/connectors/kit/types.ts';
import { silentLogger } from '../../src/core/log.ts';
import { Engine } from '../../src/engine/engine.ts';
import { Scheduler } from '../../src/engine/scheduler.ts';
import type { FlowDefinition } from '../../src/flows/types.ts';
import { openStore, type SqlStore } from '../../src/store/index.ts';
import { loaded, waitFor } from '../helpers/engine.ts';
import { freshStoreUrl, postgresAvailable, dropSchema } from '../helpers/stores.ts';

const skip = !(await postgresAvailable()) && 'PostgreSQL is not reachable';

/** A polling connector that emits one event per poll, numbered by its cursor, and says who polled. */
function ticker(label: string, polls: string[]) {
  return defineConnector<null>({
    name: 'ticker',
    description: 'one event per poll',
    createClient: () => null,
    actions: {},
    triggers: {
      ticks: {
        kind: 'polling',
        description: 'counts',
        defaultIntervalMs: 20,
        async poll(_ctx, cursor) {
          polls.push(label);
          const n = Number(cursor ?? 0) + 1;
          return { cursor: String(n), events: [{ type: 'tick', dedupeKey: `tick-${n}`, entityKey: 'ticker', version: String(n).padStart(8, '0'), payload: { n, by: label } }] };
        },
      },
    },
  });
}

async function twoEngines(): Promise<{ url: string; stores: SqlStore[]; engines: Engine[]; close(): Promise<void> }> {
  const url = await freshStoreUrl('postgres');
  const stores = [await openStore(url), await openStore(url)];
  const engines = stores.map((store) => new Engine({ store, log: silentLogger }));
  return {
    url,
    stores,
    engines,
    async close() {
      for (const e of engines) await e.stop();
      for (const s of stores) await s.close();
      await dropSchema(url);
    },
  };
}

test('postgres: a schedule starts exactly one run per slot with two schedulers on one store', { skip }, async () => {
  const c = await twoEngines();
  const flow = { id: 'every-second', trigger: { schedule: { every: '1s' } }, steps: [{ id: 'm', kind: 'map', expression: 'event.payload.slot' }] } as unknown as FlowDefinition;
  const schedulers: Scheduler[] = [];
  try {
    for (const e of c.engines) await e.addFlow(loaded(flow));
    // The same instant ticked by both, twice: one run.
    const now = Date.now();
    const direct = c.engines.map((e, i) => new Scheduler(e.store, e.catalog, e.ingress, `direct-${i}`, silentLogger));
    const created = await Promise.all([...direct, ...direct].map((s) => s.tick(now)));
    assert.equal(created.reduce((a, b) => a + b, 0), 1);
    await c.stores[0]!.releaseLease('schedule:every-second', 'direct-0');
    await c.stores[0]!.releaseLease('schedule:every-second', 'direct-1');
    // Both ticking for real, much faster than the slots turn.
    for (const e of c.engines) {
      const s = new Scheduler(e.store, e.catalog, e.ingress, e.pollers.holder, silentLogger, 25);
      schedulers.push(s);
      s.start();
    }
    await waitFor('three more slots', async () => ((await c.stores[0]!.listRuns({ flowId: 'every-second' })).length >= 4 ? true : undefined), 20_000);
    for (const s of schedulers) s.stop();
    const runs = await c.stores[0]!.listRuns({ flowId: 'every-second', limit: 1000 });
    const slots = await Promise.all(runs.map(async (r) => (await c.stores[0]!.getEvent(r.eventId))?.payload as { slot: number }));
    const bySlot = new Map<number, number>();
    for (const s of slots) bySlot.set(s.slot, (bySlot.get(s.slot) ?? 0) + 1);
    assert.ok(bySlot.size >= 4);
    for (const [slot, n] of bySlot) assert.equal(n, 1, `slot ${slot} started ${n} runs`);
  } finally {
    for (const s of schedulers) s.stop();
    await c.close();
  }
});

test('postgres: one polling trigger is polled by one of two engines, and by the other once the first stops', { skip }, async () => {
  const c = await twoEngines();
  const polls: string[] = [];
  try {
    c.engines.forEach((e, i) => {
      e.addConnector(ticker(`engine${i}`, polls));
      e.registry.addConnection({ name: 'clock', connector: 'ticker', settings: {} });
    });
    const spec = { connection: 'clock', trigger: 'ticks', intervalMs: 20 };
    for (const e of c.engines) e.startPollers([spec]);
    await waitFor('20 polls', async () => polls.length >= 20 || undefined);
    const first = polls[0]!;
    assert.deepEqual(new Set(polls), new Set([first]), 'only one engine polled');
    const holder = c.engines[first === 'engine0' ? 0 : 1]!;
    const other = first === 'engine0' ? 'engine1' : 'engine0';
    await holder.pollers.stop();
    const before = polls.length;
    await waitFor(`${other} to take over`, async () => polls.slice(before).filter((p) => p === other).length >= 5 || undefined);
    assert.ok(polls.slice(before).every((p) => p === other), 'the stopped engine polls no more');
    await c.engines[first === 'engine0' ? 1 : 0]!.pollers.stop();
    const events = await c.stores[0]!.countEvents();
    assert.equal(events, polls.length, 'each poll stored its event once: the cursor carried over');
  } finally {
    await c.close();
  }
});
