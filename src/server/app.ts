/**
 * The HTTP server: webhook ingress, the REST API, health, metrics and the OpenAPI document. Built, not
 * listening: the CLI calls `listen`, tests use port 0.
 *
 * Bodies are read as Buffers by our own parsers so a webhook's signature can be checked over the exact
 * bytes received; JSON is parsed here, once, and a malformed document is a 400 naming the problem.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger as PinoLogger } from 'pino';
import { UserError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Engine } from '../engine/engine.ts';
import { bearerAuth } from './auth.ts';
import { errorHandler, sendError } from './errors.ts';
import { serverLogger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { hookRoutes } from './routes/hooks.ts';
import { opsRoutes } from './routes/ops.ts';
import { readRoutes } from './routes/read.ts';
import { runRoutes } from './routes/runs.ts';
import { notificationRoutes } from './routes/notifications.ts';
import type { Kysely } from 'kysely';
import type { Tables } from '../store/schema.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received (for signatures); null when the request had none. */
    rawBody: Buffer | null;
  }
}

export interface ServerOptions {
  engine: Engine;
  /** Used when no pino instance is given; secrets are scrubbed before they reach it. */
  log: Logger;
  /** The process's pino logger; the server logs through a child with its own redaction paths. */
  loggerInstance?: PinoLogger | undefined;
  /** When set, /api/* (but health and docs) needs `Authorization: Bearer <apiToken>`. */
  apiToken?: string | undefined;
  /** Largest accepted request body; larger ones are answered 413. Default 1 MiB. */
  bodyLimitBytes?: number | undefined;
  metrics?: Metrics | undefined;
  /** The database of the notification tables: serves a run's notifications and the alerts. */
  db?: Kysely<Tables> | undefined;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** `application/json` and the `application/<x>+json` family. */
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json(?:\s*;|$)/i;

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const bodyLimit = opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const metrics = opts.metrics ?? new Metrics();
  const app = Fastify({
    loggerInstance: serverLogger(opts.log, opts.loggerInstance),
    bodyLimit,
    // One debug line per request (below) instead of fastify's two info lines: webhooks arrive by the hundred.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('rawBody', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPE, { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(body.toString('utf8')) as unknown);
    } catch (err) {
      done(new UserError('OF_SERVER_BAD_JSON', `the body is not valid JSON (${(err as Error).message}); send one JSON document with Content-Type: application/json`), undefined);
    }
  });
  // Any other type stays raw for webhooks: a connector may receive form posts, XML or text and verify
  // them as bytes. The API itself speaks JSON only.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    if (body.length > 0 && !request.url.startsWith('/hooks/')) {
      return done(new UserError('OF_SERVER_UNSUPPORTED_MEDIA_TYPE', `the API reads JSON bodies only, not '${request.headers['content-type'] ?? 'no content type'}'; send Content-Type: application/json`), undefined);
    }
    done(null, body.length > 0 ? body : undefined);
  });

  app.setErrorHandler(errorHandler(bodyLimit));
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new UserError('OF_SERVER_ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}; the API is described at /api/docs`)),
  );
  app.addHook('onResponse', async (request, reply) => {
    if (request.log.level === 'debug' || request.log.level === 'trace') request.log.debug({ method: request.method, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
    metrics.httpDuration.observe({ method: request.method, route: request.routeOptions.url ?? '(unmatched)', status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  if (opts.apiToken) app.addHook('onRequest', bearerAuth(opts.apiToken));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'orderflow API', version: '1', description: 'Webhook ingress, runs, flows, events and cross-references of an orderflow server.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      ...(opts.apiToken ? { security: [{ bearer: [] }] } : {}),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  await app.register(hookRoutes, { engine: opts.engine, metrics, bodyLimitBytes: bodyLimit });
  await app.register(opsRoutes, { engine: opts.engine, metrics });
  await app.register(runRoutes, { engine: opts.engine });
  await app.register(readRoutes, { engine: opts.engine });
  if (opts.db) await app.register(notificationRoutes, { db: opts.db });
  await app.ready();
  // The typed instance is a FastifyInstance with the TypeBox provider; callers only listen and close.
  return app as unknown as FastifyInstance;
}
