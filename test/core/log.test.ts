/** Lazy child loggers: bindings reach the logger only when a line is written at an enabled level. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { lazyChild, type Logger } from '../../src/core/log.ts';

function capture(level: string): { log: Logger; lines: Array<Record<string, unknown>>; children: () => number } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const base = pino({ level }, sink);
  let children = 0;
  const child = base.child.bind(base);
  (base as { child: unknown }).child = (b: Record<string, unknown>) => {
    children++;
    return child(b);
  };
  return { log: base as unknown as Logger, lines, children: () => children };
}

test('a lazy child writes with all its bindings, nested ones merged, and is built once', async () => {
  const c = capture('info');
  const run = lazyChild(c.log, { runId: 7, lane: 'shop:order:1' });
  const step = lazyChild(run, { stepId: 'order', attempt: 1 });
  step.info({ n: 1 }, 'first');
  step.warn('second');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(c.lines.map((l) => [l.runId, l.lane, l.stepId, l.attempt, l.msg]), [[7, 'shop:order:1', 'order', 1, 'first'], [7, 'shop:order:1', 'order', 1, 'second']]);
  assert.equal(c.children(), 1, 'one real child for the step, none for the run that never wrote');
});

test('below the level nothing is built or written', async () => {
  const c = capture('info');
  const step = lazyChild(lazyChild(c.log, { runId: 1 }), { stepId: 's' });
  for (let i = 0; i < 100; i++) step.debug({ i }, 'step done');
  await new Promise((r) => setImmediate(r));
  assert.equal(c.children(), 0);
  assert.equal(c.lines.length, 0);
});
