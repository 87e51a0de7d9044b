/**
 * `orderflow start` with no configuration file: the demo. Starts both emulators seeded with the demo
 * company, connects the engine to them with the shipped flows, lets shoppers check out, and keeps the
 * process up until asked to stop (Ctrl-C / SIGTERM), then stops every part in order.
 */
import type pino from 'pino';

export interface DemoOptions {
  log: pino.Logger;
  port?: number | undefined;
  ordersPerMinute?: number | undefined;
  untilSignal: () => Promise<string>;
}

export async function startDemo(opts: DemoOptions): Promise<number> {
  if (opts.ordersPerMinute !== undefined && !(opts.ordersPerMinute >= 0)) {
    process.stderr.write(`--orders-per-minute must be a number of at least 0, got ${String(opts.ordersPerMinute)}\n`);
    return 2;
  }
  const { startDemoRuntime } = await import('./runtime.ts');
  const demo = await startDemoRuntime(opts);
  const sig = await opts.untilSignal();
  opts.log.info({ signal: sig }, 'stopping the demo');
  await demo.stop();
  return 0;
}
