/**
 * A target system for engine tests over real HTTP: every POST /effect/:key is one side effect, recorded
 * when it arrives (before the answer, like a database commit), optionally held for `?hold=ms`.
 * GET /effect/:key answers 200 when the effect exists (the reconcile probe), 404 otherwise.
 * Per lane (`?lane=`), it tracks how many calls are in flight at once and the order of `?seq=`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecorderServer {
  url: string;
  counts: Map<string, number>;
  arrivals: Array<{ key: string; at: number }>;
  maxInFlightByLane: Map<string, number>;
  seqByLane: Map<string, number[]>;
  /** Resolves when a POST for `key` has arrived. */
  arrived(key: string): Promise<void>;
  close(): Promise<void>;
}

export async function startRecorder(): Promise<RecorderServer> {
  const counts = new Map<string, number>();
  const arrivals: Array<{ key: string; at: number }> = [];
  const inFlight = new Map<string, number>();
  const maxInFlightByLane = new Map<string, number>();
  const seqByLane = new Map<string, number[]>();
  const waiters = new Map<string, Array<() => void>>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/effect\/(.+)$/.exec(url.pathname);
    req.resume();
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const key = decodeURIComponent(m[1] ?? '');
    if (req.method === 'GET') {
      res.writeHead(counts.has(key) ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ key, count: counts.get(key) ?? 0 }));
      return;
    }
    req.on('end', () => {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      arrivals.push({ key, at: Date.now() });
      for (const w of waiters.get(key) ?? []) w();
      waiters.delete(key);
      const lane = url.searchParams.get('lane');
      if (lane) {
        const n = (inFlight.get(lane) ?? 0) + 1;
        inFlight.set(lane, n);
        maxInFlightByLane.set(lane, Math.max(n, maxInFlightByLane.get(lane) ?? 0));
        const seq = url.searchParams.get('seq');
        if (seq !== null) seqByLane.set(lane, [...(seqByLane.get(lane) ?? []), Number(seq)]);
      }
      const hold = Number(url.searchParams.get('hold') ?? 0);
      setTimeout(() => {
        if (lane) inFlight.set(lane, (inFlight.get(lane) ?? 1) - 1);
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ key, count: counts.get(key) }));
      }, hold);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    arrivals,
    maxInFlightByLane,
    seqByLane,
    arrived: (key) =>
      counts.has(key)
        ? Promise.resolve()
        : new Promise((resolve) => {
            waiters.set(key, [...(waiters.get(key) ?? []), resolve]);
          }),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
