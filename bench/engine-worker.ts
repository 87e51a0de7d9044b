/**
 * One worker process for bench/engine.ts: opens the store, registers the bench flow and the no-op
 * connector, says `ready`, starts its workers on `go`, and on `stop` answers what it executed and its
 * peak RSS. Started by the bench with fork(); not meant to be run by hand.
 */
import { silentLogger } from '../src/core/log.ts';
import { Engine } from '../src/engine/engine.ts';
import type { Worker } from '../src/engine/worker.ts';
import { openStore } from '../src/store/index.ts';
import { newRecorder, testConnector } from '../test/helpers/engine.ts';
import { benchFlow } from './engine-flow.ts';

export type ToWorker = { go: true } | { stop: true };
export type FromWorker = { ready: true } | { stopped: true; executed: number; maxRssMb: number };

const url = process.argv[2];
const concurrency = Number(process.argv[3] ?? 16);
if (!url || !process.send) throw new Error('usage: forked by bench/engine.ts with a database URL');
const send = (m: FromWorker) => process.send?.(m);

const store = await openStore(url);
const engine = new Engine({ store, log: silentLogger });
engine.addConnector(testConnector(newRecorder()));
engine.registry.addConnection({ name: 'sys', connector: 'test', settings: {} });
await engine.addFlow(benchFlow());

let workers: Worker[] = [];
process.on('message', (m: ToWorker) => {
  if ('go' in m) {
    workers = engine.startWorkers(1, { concurrency, pollMs: 200 });
    return;
  }
  void (async () => {
    const total = workers.reduce((a, w) => a + w.executed, 0);
    await engine.stop();
    await store.close();
    send({ stopped: true, executed: total, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) });
    process.disconnect();
  })();
});
send({ ready: true });
