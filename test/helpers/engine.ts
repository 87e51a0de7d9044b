/**
 * Engine fixtures: a test connector whose actions record every effect (to count executions), and
 * helpers to build flows from plain objects and wait on conditions instead of sleeping.
 */
import { createHash } from 'node:crypto';
import { defineConnector } from '../../src/connectors/kit/types.ts';
import { AmbiguousWriteError, TransientError, UserError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { FlowDefinition } from '../../src/flows/types.ts';
import type { Store } from '../../src/store/port.ts';

export interface Recorder {
  effects: Array<{ action: string; key: string; input: unknown; at: number }>;
  /** Per idempotency key: failures still to throw before succeeding. */
  failPlan: Map<string, Array<'transient' | 'ambiguous-after-write' | 'ambiguous-before-write' | 'user' | 'bug' | { retryAfterMs: number }>>;
  concurrentByLane: Map<string, number>;
  maxConcurrentByLane: Map<string, number>;
  order: Array<{ lane: string; seq: number }>;
  /** What the `read` action answers, by name (a stock level a test changes). */
  values: Map<string, unknown>;
  reads: number;
  /** Calls of `read` still to fail (transiently) before it answers. */
  readFailures: number;
  /** Calls of `write`'s reconcile probe still to fail (transiently) before it answers. */
  probeFailures: number;
}

export function newRecorder(): Recorder {
  return { effects: [], failPlan: new Map(), concurrentByLane: new Map(), maxConcurrentByLane: new Map(), order: [], values: new Map(), reads: 0, readFailures: 0, probeFailures: 0 };
}

export function testConnector(rec: Recorder) {
  return defineConnector<{ rec: Recorder }>({
    name: 'test',
    description: 'records effects, fails on demand',
    createClient: () => ({ rec }),
    actions: {
      noop: { description: 'does nothing', write: false, run: async () => ({ ok: true }) },
      read: {
        description: 'answers the value the test set under input.name',
        write: false,
        run: async (_ctx, input: { name: string }) => {
          rec.reads++;
          if (rec.readFailures > 0) {
            rec.readFailures--;
            throw new TransientError('T_READ', 'planned transient read failure');
          }
          return { value: rec.values.get(input.name) ?? null };
        },
      },
      write: {
        description: 'records one effect per call; fails as planned',
        write: true,
        async run(ctx, input: { lane?: string; seq?: number; holdMs?: number }) {
          const plan = rec.failPlan.get(ctx.idempotencyKey)?.shift();
          if (plan === 'transient') throw new TransientError('T_TEST', 'planned transient failure');
          if (plan === 'user') throw new UserError('T_USER', 'planned user error: fix the thing');
          if (plan === 'bug') throw new TypeError('planned bug');
          if (plan === 'ambiguous-before-write') throw new AmbiguousWriteError('T_AMB', 'planned: connection dropped before the write');
          if (plan && typeof plan === 'object') throw new TransientError('T_RETRY_AFTER', 'planned 429', { retryAfterMs: plan.retryAfterMs });
          const lane = input?.lane ?? 'none';
          const n = (rec.concurrentByLane.get(lane) ?? 0) + 1;
          rec.concurrentByLane.set(lane, n);
          rec.maxConcurrentByLane.set(lane, Math.max(n, rec.maxConcurrentByLane.get(lane) ?? 0));
          try {
            if (input?.holdMs) await new Promise((r) => setTimeout(r, input.holdMs));
            rec.effects.push({ action: 'write', key: ctx.idempotencyKey, input, at: Date.now() });
            if (input?.seq !== undefined) rec.order.push({ lane, seq: input.seq });
          } finally {
            rec.concurrentByLane.set(lane, (rec.concurrentByLane.get(lane) ?? 1) - 1);
          }
          if (plan === 'ambiguous-after-write') throw new AmbiguousWriteError('T_AMB', 'planned: connection dropped after the write');
          return { written: ctx.idempotencyKey };
        },
        async reconcile(ctx) {
          if (rec.probeFailures > 0) {
            rec.probeFailures--;
            throw new TransientError('T_PROBE', 'planned: the target is down while probing');
          }
          const found = rec.effects.find((e) => e.key === ctx.idempotencyKey);
          return found ? { written: found.key, adopted: true } : undefined;
        },
      },
    },
    triggers: {},
  });
}

export function loaded(flow: FlowDefinition) {
  const source = JSON.stringify(flow);
  return { flow, source, hash: createHash('sha256').update(source).digest('hex') };
}

export async function newEngine(store: Store, rec: Recorder): Promise<Engine> {
  const engine = new Engine({ store, log: silentLogger });
  engine.addConnector(testConnector(rec));
  engine.registry.addConnection({ name: 'sys', connector: 'test', settings: {} });
  return engine;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(100, delay * 2);
  }
}
