/** Operations: health (for load balancers and orchestrators) and Prometheus metrics. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Engine } from '../../engine/engine.ts';
import type { Metrics } from '../metrics.ts';
import { presentPoller } from '../present.ts';
import { HealthSchema } from '../schemas.ts';

/** A health check must answer even when the database hangs. */
const STORE_CHECK_TIMEOUT_MS = 2000;

async function checkStore(engine: Engine): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${STORE_CHECK_TIMEOUT_MS} ms`)), STORE_CHECK_TIMEOUT_MS);
    });
    // A primary-key lookup of a run that cannot exist: one cheap round trip through the pool.
    await Promise.race([engine.store.getRun(0), timeout]);
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  } catch (err) {
    // The driver's message only: connection strings and credentials stay out of the answer.
    const code = (err as { code?: unknown }).code;
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: typeof code === 'string' ? code : 'store query failed' };
  } finally {
    clearTimeout(timer);
  }
}

export const opsRoutes: FastifyPluginAsyncTypebox<{ engine: Engine; metrics: Metrics }> = async (app, { engine, metrics }) => {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['operations'],
        security: [],
        summary: 'Health: the store answers a query; pollers of this process',
        description: 'Answers 200 when the store is reachable, 503 when not. Never needs the API token.',
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_request, reply) => {
      const store = await checkStore(engine);
      const body = { status: store.ok ? ('ok' as const) : ('unavailable' as const), store: { ...store, dialect: engine.store.dialect }, pollers: engine.pollers.status().map(presentPoller) };
      return reply.code(store.ok ? 200 : 503).send(body);
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        security: [],
        summary: 'Prometheus metrics (text exposition format)',
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'Prometheus text format 0.0.4' }) },
      },
    },
    async (request, reply) => {
      // A store outage must not hide the process metrics: the run gauge keeps its last values.
      await metrics.refreshRuns(engine.store).catch((err: unknown) => request.log.warn({ err }, 'metrics: could not read run counts from the store'));
      metrics.refreshSharedReads(engine.registry.sharedReads());
      return reply.type(metrics.contentType()).send(await metrics.text());
    },
  );
};
