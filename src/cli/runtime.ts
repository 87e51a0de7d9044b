/**
 * Wires one orderflow process from its configuration: store, engine, connectors, flows, notifier,
 * workers, pollers, scheduler and (for `start`) the HTTP server. The only place that knows every part.
 */
import type pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { builtinConnectors } from '../connectors/index.ts';
import { flowFiles, type LoadedConfig } from '../config/load.ts';
import { Engine } from '../engine/engine.ts';
import type { PollerSpec } from '../engine/pollers.ts';
import type { Notifier } from '../engine/ports.ts';
import { loadFlowFile } from '../flows/load.ts';
import { openStore, DEFAULT_SQLITE_URL, type SqlStore } from '../store/index.ts';
import { buildServer } from '../server/app.ts';
import { AlertManager, createNotifier, type NotifyConfig } from '../notify/index.ts';

export interface RuntimeOptions {
  mode: 'start' | 'worker';
  log: pino.Logger;
  /** Overrides for tests and the demo. */
  port?: number | undefined;
  host?: string | undefined;
  databaseUrl?: string | undefined;
  workers?: number | undefined;
  notifier?: Notifier | undefined;
  /** Extra flow files (the demo's shipped flows). */
  extraFlows?: string[] | undefined;
}

export interface Runtime {
  store: SqlStore;
  engine: Engine;
  server: FastifyInstance | undefined;
  url: string | undefined;
  stop(): Promise<void>;
}

export function databaseUrlOf(loaded: LoadedConfig, override?: string): string {
  return override ?? process.env.DATABASE_URL ?? loaded.config.database ?? DEFAULT_SQLITE_URL;
}

export async function startRuntime(loaded: LoadedConfig, opts: RuntimeOptions): Promise<Runtime> {
  const { config } = loaded;
  const log = opts.log;
  const store = await openStore(databaseUrlOf(loaded, opts.databaseUrl));
  const notifyConfig = config.notifications as NotifyConfig | undefined;
  const configured = notifyConfig ? createNotifier(notifyConfig, { db: store.db, log }) : undefined;
  const engine = new Engine({ store, log, notifier: opts.notifier ?? configured });
  for (const c of builtinConnectors) engine.addConnector(c);
  for (const [name, c] of Object.entries(config.connections ?? {})) engine.registry.addConnection({ name, connector: c.connector, settings: c.settings ?? {} });
  for (const file of [...flowFiles(config, loaded.dir), ...(opts.extraFlows ?? [])]) {
    const flow = await loadFlowFile(file);
    await engine.addFlow(flow);
    log.info({ flow: flow.flow.id, version: flow.hash.slice(0, 12), file }, 'flow loaded');
  }

  const e = config.engine ?? {};
  const workerCount = opts.workers ?? e.workers ?? 1;
  engine.startWorkers(workerCount, { concurrency: e.concurrency, leaseMs: e.leaseMs, pollMs: e.pollMs });

  let server: FastifyInstance | undefined;
  let url: string | undefined;
  let alerts: AlertManager | undefined;
  if (opts.mode === 'start') {
    engine.startPollers(pollerSpecs(loaded, engine));
    engine.startScheduler();
    if (notifyConfig && configured) {
      alerts = new AlertManager(notifyConfig.alerts ?? {}, { db: store.db, store, notifier: configured, log, pollers: () => engine.pollers.status() });
      engine.onEngineEvent(() => alerts?.wake());
      alerts.start();
    }
    server = await buildServer({ engine, log: log as never, loggerInstance: log, apiToken: config.server?.apiToken, bodyLimitBytes: config.server?.bodyLimitBytes, db: store.db });
    url = await server.listen({ host: opts.host ?? config.server?.host ?? '127.0.0.1', port: opts.port ?? config.server?.port ?? 8080 });
  }

  return {
    store,
    engine,
    server,
    url,
    async stop() {
      await server?.close();
      await alerts?.stop();
      await engine.stop();
      configured?.close();
      await store.close();
    },
  };
}

/** Pollers named in the configuration, else every polling trigger of a connection some flow listens to. */
function pollerSpecs(loaded: LoadedConfig, engine: Engine): PollerSpec[] {
  const specs = new Map<string, PollerSpec>();
  for (const s of engine.defaultPollers()) specs.set(`${s.connection}:${s.trigger}`, s);
  for (const [conn, c] of Object.entries(loaded.config.connections ?? {})) {
    for (const [trigger, p] of Object.entries(c.pollers ?? {})) {
      const key = `${conn}:${trigger}`;
      if (p.enabled === false) specs.delete(key);
      else specs.set(key, { connection: conn, trigger, intervalMs: p.intervalMs, options: p.options });
    }
  }
  return [...specs.values()];
}
