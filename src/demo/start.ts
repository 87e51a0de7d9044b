/**
 * `orderflow start` with no configuration file: the demo. Starts both emulators seeded with the demo
 * company, connects the engine to them, and keeps the process up until asked to stop.
 */
import type pino from 'pino';

export interface DemoOptions {
  log: pino.Logger;
  port?: number | undefined;
  ordersPerMinute?: number | undefined;
  untilSignal: () => Promise<string>;
}

export async function startDemo(opts: DemoOptions): Promise<number> {
  const { startDemoRuntime } = await import('./runtime.ts');
  const demo = await startDemoRuntime(opts);
  const sig = await opts.untilSignal();
  opts.log.info({ signal: sig }, 'stopping the demo');
  await demo.stop();
  return 0;
}
