/**
 * The SAP Business One Service Layer emulator: `/b1s/v1` (OData v3 shapes) and `/b1s/v2` (OData v4) over
 * plain node:http, state in memory, faults injected per endpoint. A test double, built to be fast enough
 * never to be the bottleneck of another benchmark.
 *
 * Helper endpoints (not part of SL): `GET|POST|PUT|DELETE /_emulator/faults`, `POST /_emulator/reset`,
 * `GET /_emulator/stats`, `POST /_emulator/save`, `POST /_emulator/clock` ({"advanceSeconds": n}).
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleBatch } from './batch.ts';
import { Faults, type FaultSpec } from './faults.ts';
import { parseTarget, readBody } from './http-request.ts';
import { dispatch, type Emu } from './router.ts';
import { defineSchema } from './schema.ts';
import { seed } from './seed.ts';
import { errorBody } from './sap-errors.ts';
import { Sessions, sessionFromCookie } from './sessions.ts';
import { Store } from './store.ts';
import type { EmuResponse, Version } from './types.ts';
import { clock } from './values.ts';

export interface SapB1EmulatorOptions {
  port?: number;
  host?: string;
  seed?: 'demo' | 'empty';
  faults?: string;
  stateFile?: string;
  sessionTimeoutMinutes?: number;
}

export interface SapB1Emulator {
  /** `http://127.0.0.1:PORT/b1s/v1`; the same server answers on `/b1s/v2`. */
  url: string;
  port: number;
  close(): Promise<void>;
  setFaults(spec: string | object): void;
  reset(): void;
}

const CONTENT_TYPE: Record<Version, string> = {
  v1: 'application/json;odata=minimalmetadata;charset=utf-8',
  v2: 'application/json;charset=utf-8',
};

function send(res: http.ServerResponse, out: EmuResponse, version: Version): void {
  const headers: Record<string, string | string[]> = { ...out.headers };
  let body: string | undefined;
  if (out.jsonText !== undefined || out.json !== undefined) {
    body = out.jsonText ?? JSON.stringify(out.json);
    headers['content-type'] ??= CONTENT_TYPE[version];
  } else if (out.text !== undefined) {
    body = out.text;
    headers['content-type'] ??= 'text/plain;charset=utf-8';
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(out.status, headers);
  res.end(body);
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startSapB1Emulator(opts: SapB1EmulatorOptions = {}): Promise<SapB1Emulator> {
  const store = new Store();
  defineSchema(store);
  const seedKind = opts.seed ?? 'demo';
  if (opts.stateFile && existsSync(opts.stateFile)) store.load(opts.stateFile);
  else seed(store, seedKind);
  const emu: Emu = { store, sessions: new Sessions(opts.sessionTimeoutMinutes ?? 30), batch: handleBatch };
  const faults = new Faults();
  const stats = { requests: 0, faultsInjected: 0 };
  const setFaults = (spec: string | object) => {
    if (faults.set(typeof spec === 'string' ? spec : (spec as FaultSpec))) emu.sessions.expireAll();
  };
  if (opts.faults) setFaults(opts.faults);
  const reset = () => {
    seed(store, seedKind);
    emu.sessions.reset();
    faults.clear();
    clock.offsetMs = 0;
    stats.requests = 0;
    stats.faultsInjected = 0;
  };

  async function admin(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    const raw = await readBody(req);
    const method = req.method ?? 'GET';
    const json = (status: number, body: unknown) => send(res, { status, json: body }, 'v2');
    try {
      if (path === '/_emulator/faults') {
        if (method === 'GET') return json(200, faults.current());
        if (method === 'DELETE') {
          faults.clear();
          return json(200, faults.current());
        }
        const trimmed = raw.trim();
        setFaults(trimmed.startsWith('{') ? (JSON.parse(trimmed) as object) : trimmed);
        return json(200, faults.current());
      }
      if (path === '/_emulator/reset' && method === 'POST') {
        reset();
        return json(200, { ok: true });
      }
      if (path === '/_emulator/stats' && method === 'GET') {
        const counts: Record<string, number> = {};
        for (const s of store.sets.values()) counts[s.name] = s.rows.size;
        const cpu = process.cpuUsage();
        return json(200, { ...stats, logins: emu.sessions.logins, activeSessions: emu.sessions.active, counts, cpuMicros: cpu.user + cpu.system });
      }
      if (path === '/_emulator/save' && method === 'POST') {
        if (!opts.stateFile) return json(400, { error: 'the emulator was started without a state file (--state FILE)' });
        store.save(opts.stateFile);
        return json(200, { saved: opts.stateFile });
      }
      if (path === '/_emulator/clock' && method === 'POST') {
        const body = JSON.parse(raw || '{}') as { advanceSeconds?: number };
        clock.offsetMs += (body.advanceSeconds ?? 0) * 1000;
        return json(200, { offsetMs: clock.offsetMs });
      }
      return json(404, { error: `unknown emulator endpoint ${method} ${path}` });
    } catch (e) {
      return json(400, { error: e instanceof Error ? e.message : String(e) });
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = parseTarget(req.url ?? '/');
    if (url.pathname.startsWith('/_emulator/')) return admin(req, res, url.pathname);
    const m = /^\/b1s\/(v1|v2)(\/.*)?$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    stats.requests++;
    const version = m[1] as Version;
    const path = decodeURIComponent(m[2] ?? '/');
    const rawBody = await readBody(req);
    const method = req.method ?? 'GET';
    const decision = faults.active ? faults.decide(method, path) : undefined;
    if (decision?.delayMs) await delay(decision.delayMs);
    if (decision?.error) {
      stats.faultsInjected++;
      const { status, retryAfterS } = decision.error;
      const headers: Record<string, string> = retryAfterS !== undefined ? { 'retry-after': String(retryAfterS) } : {};
      // 502/503 come from the load balancer in front of SL (an HTML page); 500 from SL itself.
      if (status === 500) send(res, { status, headers, json: errorBody(version, -1, 'Internal error (injected fault)') }, version);
      else send(res, { status, headers: { ...headers, 'content-type': 'text/html' }, text: `<html><body><h1>${status} Service Unavailable</h1></body></html>` }, version);
      return;
    }
    const host = req.headers.host ?? '127.0.0.1';
    const out = dispatch(emu, {
      method,
      path,
      query: url.query,
      headers: req.headers as Record<string, string | undefined>,
      rawBody,
      version,
      base: `http://${host}/b1s/${version}`,
      sessionId: sessionFromCookie(req.headers.cookie),
    });
    if (decision?.drop) {
      // The write is committed; the client never hears about it.
      stats.faultsInjected++;
      if (decision.drop === 'reset') req.socket.destroy();
      return;
    }
    send(res, out, version);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, { status: 500, json: errorBody('v1', -1, e instanceof Error ? e.message : String(e)) }, 'v1');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
  return {
    url: `http://${hostForUrl}:${port}/b1s/v1`,
    port,
    setFaults,
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        if (opts.stateFile) store.save(opts.stateFile);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
