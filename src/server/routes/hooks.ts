/**
 * Webhook ingress: POST /hooks/:connection. The connector verifies the signature over the raw body and
 * turns the delivery into events; the answer is 202 only once the events and their runs are stored
 * (invariant 1). A duplicate delivery is answered 202 too and creates nothing.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Engine } from '../../engine/engine.ts';
import { statusOf, toOrderflowError } from '../errors.ts';
import type { Metrics, WebhookOutcome } from '../metrics.ts';
import { HookAccepted, HookParams, HookQuery, errors } from '../schemas.ts';

export interface HookRoutesOptions {
  engine: Engine;
  metrics: Metrics;
  bodyLimitBytes: number;
}

export const hookRoutes: FastifyPluginAsyncTypebox<HookRoutesOptions> = async (app, { engine, metrics, bodyLimitBytes }) => {
  app.post(
    '/hooks/:connection',
    {
      schema: {
        tags: ['webhooks'],
        security: [],
        summary: 'Receive a webhook delivery',
        description:
          'Authenticated by the connector (e.g. an HMAC signature of the raw body), not by the API token. Answers 202 only after the events are durably stored; a redelivery answers 202 with `duplicates` and creates nothing.',
        params: HookParams,
        querystring: HookQuery,
        response: { 202: HookAccepted, ...errors(400, 401, 404, 413, 422, 500, 503) },
      },
    },
    async (request, reply) => {
      const started = performance.now();
      const { connection } = request.params;
      // Only configured connection names become label values: a scanner must not grow the series.
      const label = engine.registry.listConnections().some((c) => c.name === connection) ? connection : '(unknown)';
      let outcome: WebhookOutcome = 'failed';
      try {
        const rawBody = request.rawBody ?? Buffer.alloc(0);
        const results = await engine.receiveWebhook(connection, { headers: request.headers, rawBody, body: request.body }, request.query.trigger);
        const received = results.filter((r) => r.created).length;
        const duplicates = results.length - received;
        if (received > 0) metrics.webhookEvents.inc({ connection: label, outcome: 'stored' }, received);
        if (duplicates > 0) metrics.webhookEvents.inc({ connection: label, outcome: 'duplicate' }, duplicates);
        outcome = received === 0 && duplicates > 0 ? 'duplicate' : 'stored';
        return reply.code(202).send({ received, duplicates, eventIds: results.map((r) => r.eventId), runIds: results.flatMap((r) => r.runIds) });
      } catch (err) {
        outcome = statusOf(toOrderflowError(err, bodyLimitBytes)) < 500 ? 'rejected' : 'failed';
        metrics.webhookEvents.inc({ connection: label, outcome });
        throw err;
      } finally {
        metrics.webhookDuration.observe({ outcome }, (performance.now() - started) / 1000);
      }
    },
  );
};
