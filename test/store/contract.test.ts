/**
 * The store contract: one suite, run on SQLite and on PostgreSQL, a fresh store per test. Whatever the
 * engine, the server and the CLI rely on is stated here once, so both backends are held to it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderflowError, UserError } from '../../src/core/errors.ts';
import type { RunTarget, SqlStore } from '../../src/store/index.ts';
import { backends, freshStoreUrl, type Backend, dropSchema } from '../helpers/stores.ts';
import { openStore } from '../../src/store/index.ts';

const target: RunTarget = { flowId: 'f', flowVersion: 'v1', firstStep: 's1' };
const LEASE = 10_000;

async function withStore(backend: Backend, fn: (s: SqlStore) => Promise<void>): Promise<void> {
  const url = await freshStoreUrl(backend);
  const store = await openStore(url, { listen: false });
  try {
    await fn(store);
  } finally {
    await store.close();
    await dropSchema(url);
  }
}

/** One event for `entity` and its one run; answers the run id. */
async function queue(s: SqlStore, key: string, entity = `e:${key}`, version?: string, targets: RunTarget[] = [target]): Promise<number> {
  const res = await s.ingest({ dedupeKey: key, type: 't', source: 'src', entityKey: entity, version, payload: { key } }, () => targets);
  const id = res.runIds[0];
  assert.ok(id !== undefined, `event ${key} started a run`);
  return id;
}

async function claimIds(s: SqlStore, worker: string, now = Date.now(), limit = 50): Promise<number[]> {
  return (await s.claimRuns(worker, limit, LEASE, now)).map((r) => r.id);
}

/** Finishes a claimed run's step as succeeded (the run ends). */
async function finishRun(s: SqlStore, runId: number, worker: string): Promise<boolean> {
  return s.finishAttempt(runId, worker, undefined, { status: 'succeeded', currentStep: null, stepAttempt: 0 });
}

async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof UserError, `a UserError, got ${String(err)}`);
    assert.equal((err as OrderflowError).code, code);
    return true;
  });
}

for (const backend of await backends()) {
  const it = (name: string, fn: (s: SqlStore) => Promise<void>): void => {
    void test(`${backend}: ${name}`, () => withStore(backend, fn));
  };

  it('a duplicate ingest creates nothing and answers the first event and run ids', async (s) => {
    const first = await s.ingest({ dedupeKey: 'd1', type: 't', source: 'src', entityKey: 'e:1', payload: { n: 1 } }, () => [target]);
    const again = await s.ingest({ dedupeKey: 'd1', type: 't', source: 'src', entityKey: 'e:1', payload: { n: 2 } }, () => [target, target]);
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(again.eventId, first.eventId);
    assert.deepEqual(again.runIds, first.runIds);
    assert.equal(await s.countEvents(), 1);
    assert.deepEqual(await s.countRunsByStatus(), { queued: 1 });
    assert.deepEqual((await s.getEvent(first.eventId))?.payload, { n: 1 });
  });

  it('an event with several targets starts one run per target, in one lane position', async (s) => {
    const res = await s.ingest({ dedupeKey: 'd', type: 't', source: 'src', entityKey: 'e', payload: {} }, () => [target, { ...target, flowId: 'g' }]);
    assert.equal(res.runIds.length, 2);
    const runs = await Promise.all(res.runIds.map((id) => s.getRun(id)));
    assert.deepEqual(runs.map((r) => [r?.flowId, r?.laneSeq, r?.currentStep, r?.status]), [['f', res.eventId, 's1', 'queued'], ['g', res.eventId, 's1', 'queued']]);
  });

  it('a poll stores its events and its cursor together, or neither', async (s) => {
    const ev = (k: string) => ({ dedupeKey: k, type: 't', source: 'src', entityKey: `e:${k}`, payload: {} });
    await assert.rejects(
      s.ingestPoll('poll:x', 'c1', [ev('p1'), { ...ev('p2'), type: 'boom' }], (e) => {
        if (e.type === 'boom') throw new Error('targets failed mid-poll');
        return [target];
      }),
      /targets failed/,
    );
    assert.equal(await s.countEvents(), 0);
    assert.equal(await s.getCursor('poll:x'), null);
    const ok = await s.ingestPoll('poll:x', 'c1', [ev('p1'), ev('p2')], () => [target]);
    assert.deepEqual(ok.map((r) => r.created), [true, true]);
    assert.equal(await s.getCursor('poll:x'), 'c1');
    const overlap = await s.ingestPoll('poll:x', 'c2', [ev('p2'), ev('p3')], () => [target]);
    assert.deepEqual(overlap.map((r) => r.created), [false, true]);
    assert.deepEqual(overlap[0]?.runIds, ok[1]?.runIds);
    assert.equal(await s.getCursor('poll:x'), 'c2');
    assert.equal(await s.countEvents(), 3);
    // A key repeated within one poll is stored once; an empty poll still moves the cursor.
    const repeat = await s.ingestPoll('poll:x', 'c3', [ev('p4'), ev('p5'), ev('p4')], () => [target]);
    assert.deepEqual(repeat.map((r) => r.created), [true, true, false]);
    assert.equal(repeat[2]?.eventId, repeat[0]?.eventId);
    assert.deepEqual(repeat[2]?.runIds, repeat[0]?.runIds);
    assert.equal(repeat[0]?.runIds.length, 1);
    assert.ok(repeat[0]!.eventId < repeat[1]!.eventId, 'events are stored in their order');
    assert.deepEqual(await s.ingestPoll('poll:x', 'c4', [], () => [target]), []);
    assert.equal(await s.getCursor('poll:x'), 'c4');
    assert.equal(await s.countEvents(), 5);
  });

  it('a claimed run is leased: nobody else claims it until the lease expires, then it is reclaimed', async (s) => {
    const id = await queue(s, 'a');
    const now = Date.now();
    const [run] = await s.claimRuns('w1', 10, LEASE, now);
    assert.equal(run?.id, id);
    assert.equal(run?.status, 'running');
    assert.equal(run?.lockedBy, 'w1');
    assert.equal(run?.lockedUntil, now + LEASE);
    assert.deepEqual(await claimIds(s, 'w2', now + LEASE - 1), []);
    assert.deepEqual(await claimIds(s, 'w2', now + LEASE + 1), [id], 'an expired lease is taken over');
    assert.equal((await s.getRun(id))?.lockedBy, 'w2');
  });

  it('a renewed lease keeps the run from being reclaimed', async (s) => {
    const id = await queue(s, 'a');
    const now = Date.now();
    await s.claimRuns('w1', 10, 1, now);
    assert.equal(await s.renewLease(id, 'w1', LEASE, now + 1), true);
    assert.deepEqual(await claimIds(s, 'w2', now + LEASE), [], 'the lease now runs until now + 1 + LEASE');
    assert.equal(await s.renewLease(id, 'w2', LEASE, now + 1), false, 'only the holder renews');
    assert.deepEqual(await claimIds(s, 'w2', now + LEASE + 2), [id]);
  });

  it('a queued run is not claimed before its run_at', async (s) => {
    const id = await queue(s, 'a');
    const [claimed] = await s.claimRuns('w1', 1, LEASE);
    assert.ok(claimed);
    const later = Date.now() + 60_000;
    await s.finishAttempt(id, 'w1', undefined, { status: 'queued', currentStep: 's1', stepAttempt: 1, runAt: later });
    assert.deepEqual(await claimIds(s, 'w1'), []);
    assert.deepEqual(await claimIds(s, 'w1', later), [id]);
  });

  it('only the earliest unfinished run of an entity is claimable; other entities are not held back', async (s) => {
    const a1 = await queue(s, 'a1', 'order:A', '0001');
    const a2 = await queue(s, 'a2', 'order:A', '0002');
    const b1 = await queue(s, 'b1', 'order:B', '0001');
    assert.deepEqual(await claimIds(s, 'w1'), [a1, b1]);
    assert.deepEqual(await claimIds(s, 'w2'), [], 'a2 waits for a1');
    assert.ok(await finishRun(s, a1, 'w1'));
    assert.deepEqual(await claimIds(s, 'w2'), [a2]);
  });

  it('a waiting run holds its lane', async (s) => {
    const a1 = await queue(s, 'a1', 'order:A');
    const a2 = await queue(s, 'a2', 'order:A');
    await s.claimRuns('w1', 1, LEASE);
    await s.finishAttempt(a1, 'w1', undefined, { status: 'waiting', currentStep: 's1', stepAttempt: 1, runAt: Date.now() + 60_000, waitingFor: 'signal:s1' });
    assert.deepEqual(await claimIds(s, 'w1'), []);
    await s.cancelRun(a1);
    assert.deepEqual(await claimIds(s, 'w1'), [a2]);
  });

  it('runs in one lane position (two flows on one event, a replay) are claimed by id', async (s) => {
    const res = await s.ingest({ dedupeKey: 'd', type: 't', source: 'src', entityKey: 'order:A', payload: {} }, () => [target, { ...target, flowId: 'g' }]);
    const [r1, r2] = res.runIds as [number, number];
    assert.deepEqual(await claimIds(s, 'w1'), [r1]);
    assert.ok(await finishRun(s, r1, 'w1'));
    const replay = await s.replayRun(r1, 's1', 'v1');
    assert.equal(replay.laneSeq, res.eventId);
    assert.deepEqual(await claimIds(s, 'w1'), [r2]);
    assert.ok(await finishRun(s, r2, 'w1'));
    assert.deepEqual(await claimIds(s, 'w1'), [replay.id]);
  });

  it('a worker that lost its lease writes nothing: no attempt, no run change', async (s) => {
    const id = await queue(s, 'a');
    const now = Date.now();
    await s.claimRuns('w1', 1, LEASE, now);
    const attemptId = await s.startAttempt(id, 'w1', 's1', 1, { in: 1 });
    assert.ok(attemptId !== undefined);
    await s.claimRuns('w2', 1, LEASE, now + LEASE + 1);
    const ctx = { steps: { s1: 'from w1' }, vars: {} };
    assert.equal(await s.finishAttempt(id, 'w1', { attemptId, startedAt: now, status: 'succeeded', output: 'w1', finishedAt: now + 5 }, { status: 'succeeded', currentStep: null, stepAttempt: 0, context: ctx }), false);
    assert.equal(await s.startAttempt(id, 'w1', 's2', 1, null), undefined);
    assert.equal(await s.renewLease(id, 'w1', LEASE), false);
    const run = await s.getRun(id);
    assert.equal(run?.status, 'running');
    assert.equal(run?.lockedBy, 'w2');
    assert.deepEqual(run?.context, { steps: {}, vars: {} });
    const attempts = await s.listAttempts(id);
    assert.deepEqual(attempts.map((a) => [a.stepId, a.status, a.output]), [['s1', 'started', null]]);
  });

  it('a cancelled run fences its worker out', async (s) => {
    const id = await queue(s, 'a');
    await s.claimRuns('w1', 1, LEASE);
    await s.cancelRun(id);
    assert.equal(await s.finishAttempt(id, 'w1', undefined, { status: 'running', currentStep: 's2', stepAttempt: 0 }), false);
    assert.equal((await s.getRun(id))?.status, 'cancelled');
  });

  it('an attempt is journaled with input, output, error and duration, and moves the run in the same write', async (s) => {
    const id = await queue(s, 'a');
    await s.claimRuns('w1', 1, LEASE);
    const a1 = await s.startAttempt(id, 'w1', 's1', 1, null);
    assert.ok(a1 !== undefined);
    const err = { kind: 'transient', code: 'X', message: 'later' };
    assert.ok(await s.finishAttempt(id, 'w1', { attemptId: a1, startedAt: 1000, input: { q: 1 }, status: 'failed', error: err, finishedAt: 1042 }, { status: 'running', currentStep: 's1', stepAttempt: 1, lastError: err }));
    const a2 = await s.startAttempt(id, 'w1', 's1', 2, { q: 1 });
    assert.ok(a2 !== undefined);
    assert.ok(await s.finishAttempt(id, 'w1', { attemptId: a2, startedAt: 2000, status: 'succeeded', output: { ok: true }, finishedAt: 2003 }, { status: 'succeeded', currentStep: null, stepAttempt: 0, context: { steps: { s1: { ok: true } }, vars: {} } }));
    const attempts = await s.listAttempts(id);
    assert.deepEqual(
      attempts.map((a) => ({ step: a.stepId, attempt: a.attempt, status: a.status, input: a.input, output: a.output, error: a.error, durationMs: a.durationMs })),
      [
        { step: 's1', attempt: 1, status: 'failed', input: { q: 1 }, output: null, error: err, durationMs: 42 },
        { step: 's1', attempt: 2, status: 'succeeded', input: { q: 1 }, output: { ok: true }, error: null, durationMs: 3 },
      ],
    );
    const run = await s.getRun(id);
    assert.equal(run?.status, 'succeeded');
    assert.ok(run?.finishedAt);
    assert.equal(run?.lockedBy, null);
    assert.deepEqual(run?.lastError, err);
  });

  it('attempts left started by a dead worker are marked interrupted, once', async (s) => {
    const id = await queue(s, 'a');
    await s.claimRuns('w1', 1, LEASE);
    await s.startAttempt(id, 'w1', 's1', 1, null);
    const found = await s.interruptDanglingAttempts(id, 's1');
    assert.deepEqual(found.map((a) => a.status), ['interrupted']);
    assert.deepEqual(await s.interruptDanglingAttempts(id, 's1'), []);
    assert.deepEqual((await s.listAttempts(id)).map((a) => a.status), ['interrupted']);
  });

  it('only blocked or dead runs are retried, at their failed step with a fresh attempt budget', async (s) => {
    const id = await queue(s, 'a');
    await rejectsWithCode(s.retryRun(id), 'OF_RUN_NOT_RETRYABLE');
    await s.claimRuns('w1', 1, LEASE);
    await rejectsWithCode(s.retryRun(id), 'OF_RUN_NOT_RETRYABLE');
    await s.finishAttempt(id, 'w1', undefined, { status: 'blocked', currentStep: 's3', stepAttempt: 4, lastError: { code: 'U' } });
    const retried = await s.retryRun(id);
    assert.deepEqual([retried.status, retried.currentStep, retried.stepAttempt, retried.lockedBy, retried.finishedAt], ['queued', 's3', 0, null, null]);
    await s.claimRuns('w1', 1, LEASE);
    await s.finishAttempt(id, 'w1', undefined, { status: 'dead', currentStep: 's3', stepAttempt: 8 });
    assert.equal((await s.retryRun(id)).status, 'queued');
    await s.claimRuns('w1', 1, LEASE);
    await finishRun(s, id, 'w1');
    await rejectsWithCode(s.retryRun(id), 'OF_RUN_NOT_RETRYABLE');
    await rejectsWithCode(s.retryRun(999_999), 'OF_RUN_NOT_FOUND');
  });

  it('unfinished runs are cancelled; finished ones answer a UserError', async (s) => {
    const queued = await queue(s, 'a');
    assert.equal((await s.cancelRun(queued)).status, 'cancelled');
    await rejectsWithCode(s.cancelRun(queued), 'OF_RUN_NOT_CANCELLABLE');
    const done = await queue(s, 'b');
    await s.claimRuns('w1', 1, LEASE);
    await finishRun(s, done, 'w1');
    await rejectsWithCode(s.cancelRun(done), 'OF_RUN_NOT_CANCELLABLE');
    await rejectsWithCode(s.cancelRun(999_999), 'OF_RUN_NOT_FOUND');
  });

  it('a replay is a new queued run of the same event from the given step, pointing at the original', async (s) => {
    const id = await queue(s, 'a', 'order:1', '0007');
    await s.claimRuns('w1', 1, LEASE);
    await s.finishAttempt(id, 'w1', undefined, { status: 'dead', currentStep: 's2', stepAttempt: 3, context: { steps: { s1: 1 }, vars: {} } });
    const orig = await s.getRun(id);
    const replay = await s.replayRun(id, 's1', 'v2');
    assert.notEqual(replay.id, id);
    assert.deepEqual(
      [replay.status, replay.currentStep, replay.flowVersion, replay.eventId, replay.entityKey, replay.eventVersion, replay.replayOf],
      ['queued', 's1', 'v2', orig?.eventId, 'order:1', '0007', id],
    );
    assert.deepEqual(replay.context.steps, {});
    assert.equal((await s.getRun(id))?.status, 'dead', 'the original stays as it was');
    await rejectsWithCode(s.replayRun(999_999, 's1', 'v1'), 'OF_RUN_NOT_FOUND');
  });

  it('a signal reaches only a run waiting for it at that step, and wakes it', async (s) => {
    const id = await queue(s, 'a');
    await rejectsWithCode(s.signal(id, 'approve', { decision: 'approve' }), 'OF_SIGNAL_NOT_WAITING');
    await s.claimRuns('w1', 1, LEASE);
    const later = Date.now() + 3_600_000;
    await s.finishAttempt(id, 'w1', undefined, { status: 'waiting', currentStep: 'approve', stepAttempt: 1, runAt: later, waitingFor: 'signal:approve' });
    await rejectsWithCode(s.signal(id, 'other', {}), 'OF_SIGNAL_NOT_WAITING');
    assert.equal(await s.getSignal(id, 'approve'), undefined);
    assert.deepEqual(await claimIds(s, 'w1'), []);
    await s.signal(id, 'approve', { decision: 'reject', by: 'ann' });
    await s.signal(id, 'approve', { decision: 'approve', by: 'bob' });
    assert.deepEqual(await s.getSignal(id, 'approve'), { decision: 'approve', by: 'bob' }, 'the newest signal wins');
    assert.deepEqual(await claimIds(s, 'w1'), [id], 'the signal made the run due now');
    await rejectsWithCode(s.signal(999_999, 'approve', {}), 'OF_RUN_NOT_FOUND');
  });

  it('an entity version only goes up', async (s) => {
    assert.equal(await s.getEntityVersion('f|order:1'), undefined);
    await s.setEntityVersion('f|order:1', '0002');
    await s.setEntityVersion('f|order:1', '0001');
    assert.equal(await s.getEntityVersion('f|order:1'), '0002');
    await s.setEntityVersion('f|order:1', '0003');
    assert.equal(await s.getEntityVersion('f|order:1'), '0003');
    assert.equal(await s.getEntityVersion('f|order:2'), undefined);
    // A run's event and its lane's version are read together.
    const { eventId } = await s.ingest({ dedupeKey: 'ev-v', type: 't', source: 'src', entityKey: 'order:1', version: '0002', payload: { n: 1 } }, () => []);
    const both = await s.getEventAndVersion(eventId, 'f|order:1');
    assert.deepEqual([both.event?.id, both.event?.version, both.event?.payload, both.applied], [eventId, '0002', { n: 1 }, '0003']);
    assert.deepEqual((await s.getEventAndVersion(eventId, 'f|order:2')).applied, undefined);
    assert.deepEqual(await s.getEventAndVersion(999_999, 'f|order:1'), { event: undefined, applied: undefined });
  });

  it('a named lease is held by one holder until it expires or is released', async (s) => {
    const t = Date.now();
    assert.equal(await s.tryLease('poll:x', 'A', 1000, t), true);
    assert.equal(await s.tryLease('poll:x', 'B', 1000, t + 10), false);
    assert.equal(await s.tryLease('poll:x', 'A', 1000, t + 500), true, 'the holder renews');
    assert.equal(await s.tryLease('poll:x', 'B', 1000, t + 1400), false, 'renewed until t+1500');
    assert.equal(await s.tryLease('poll:x', 'B', 1000, t + 1501), true, 'expired: taken over');
    assert.equal(await s.tryLease('poll:x', 'A', 1000, t + 1502), false);
    assert.equal(await s.tryLease('poll:y', 'A', 1000, t + 1502), true, 'leases are per name');
    await s.releaseLease('poll:x', 'A');
    assert.equal(await s.tryLease('poll:x', 'A', 1000, t + 1503), false, 'only the holder releases');
    await s.releaseLease('poll:x', 'B');
    assert.equal(await s.tryLease('poll:x', 'A', 1000, t + 1504), true);
  });

  it('concurrent lease attempts have exactly one winner', async (s) => {
    const now = Date.now();
    const wins = await Promise.all(Array.from({ length: 8 }, (_, i) => s.tryLease('race', `h${i}`, 10_000, now)));
    assert.equal(wins.filter(Boolean).length, 1);
  });

  it('a cursor is stored, replaced and cleared by name', async (s) => {
    assert.equal(await s.getCursor('c'), null);
    await s.setCursor('c', '2024-01-01 00:00:00');
    await s.setCursor('d', 'other');
    assert.equal(await s.getCursor('c'), '2024-01-01 00:00:00');
    await s.setCursor('c', '2024-01-02 00:00:00');
    assert.equal(await s.getCursor('c'), '2024-01-02 00:00:00');
    await s.setCursor('c', null);
    assert.equal(await s.getCursor('c'), null);
    assert.equal(await s.getCursor('d'), 'other');
  });

  it('a cross-reference is found from either side, and a second put replaces the target', async (s) => {
    await s.putXref({ entity: 'order', leftSystem: 'shop', leftId: '1234', rightSystem: 'sap', rightId: '812', data: { DocNum: 10345 } });
    await s.putXref({ entity: 'order', leftSystem: 'shop', leftId: '99', rightSystem: 'sap', rightId: '900', data: {} });
    const byLeft = await s.findXref('order', 'shop', '1234');
    assert.deepEqual(byLeft.map((x) => [x.leftId, x.rightSystem, x.rightId, x.data]), [['1234', 'sap', '812', { DocNum: 10345 }]]);
    const byRight = await s.findXref('order', 'sap', '812');
    assert.deepEqual(byRight.map((x) => x.leftId), ['1234']);
    assert.deepEqual(await s.findXref('customer', 'shop', '1234'), [], 'entity scopes the lookup');
    await s.putXref({ entity: 'order', leftSystem: 'shop', leftId: '1234', rightSystem: 'sap', rightId: '813', data: { DocNum: 10346 } });
    const replaced = await s.findXref('order', 'shop', '1234');
    assert.deepEqual(replaced.map((x) => [x.rightId, x.data]), [['813', { DocNum: 10346 }]]);
    assert.deepEqual(await s.findXref('order', 'sap', '812'), []);
    // The same system and id on both sides: one row, found once.
    await s.putXref({ entity: 'order', leftSystem: 'x', leftId: '5', rightSystem: 'x', rightId: '5', data: {} });
    assert.equal((await s.findXref('order', 'x', '5')).length, 1);
  });

  it('runs are counted by status and listed newest first, filtered and paged', async (s) => {
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push(await queue(s, `k${i}`, `order:${i % 2}`, undefined, [{ ...target, flowId: i < 5 ? 'f' : 'g' }]));
    // Finish the heads of both lanes: order:0 → k0, order:1 → k1.
    for (const r of await s.claimRuns('w1', 50, LEASE)) await finishRun(s, r.id, 'w1');
    assert.deepEqual(await s.countRunsByStatus(), { queued: 5, succeeded: 2 });
    assert.deepEqual((await s.listRuns({})).map((r) => r.id), [...ids].reverse());
    assert.deepEqual((await s.listRuns({ status: 'succeeded' })).map((r) => r.id), [ids[1], ids[0]]);
    assert.deepEqual((await s.listRuns({ flowId: 'g' })).map((r) => r.id), [ids[6], ids[5]]);
    assert.deepEqual((await s.listRuns({ entityKey: 'order:1' })).map((r) => r.id), [ids[5], ids[3], ids[1]]);
    assert.deepEqual((await s.listRuns({ entityKey: 'order:0', status: 'queued', flowId: 'f' })).map((r) => r.id), [ids[4], ids[2]]);
    const page1 = await s.listRuns({ limit: 3 });
    const page2 = await s.listRuns({ limit: 3, beforeId: page1.at(-1)?.id });
    const page3 = await s.listRuns({ limit: 3, beforeId: page2.at(-1)?.id });
    assert.deepEqual([...page1, ...page2, ...page3].map((r) => r.id), [...ids].reverse());
    assert.equal(page3.length, 1);
  });

  it('a flow version is stored once and read back by id and version', async (s) => {
    await s.saveFlowVersion('f', 'h1', 'id: f', { id: 'f', steps: [1] });
    await s.saveFlowVersion('f', 'h1', 'changed', { id: 'f', steps: [2] });
    await s.saveFlowVersion('f', 'h2', 'id: f # 2', { id: 'f', steps: [3] });
    assert.deepEqual(await s.getFlowVersion('f', 'h1'), { source: 'id: f', definition: { id: 'f', steps: [1] } });
    assert.deepEqual((await s.getFlowVersion('f', 'h2'))?.definition, { id: 'f', steps: [3] });
    assert.equal(await s.getFlowVersion('f', 'h3'), undefined);
  });
}
