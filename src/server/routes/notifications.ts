/** What was sent (or failed) for a run, and the alerts raised: read from the notification tables. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { listAlerts, listNotifications } from '../../notify/index.ts';
import type { Tables } from '../../store/schema.ts';
import { IdParams, errors } from '../schemas.ts';

const Rows = (name: string) => Type.Object({ [name]: Type.Array(Type.Record(Type.String(), Type.Unknown())) });

export const notificationRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Tables> }> = async (app, { db }) => {
  app.get(
    '/api/runs/:id/notifications',
    { schema: { tags: ['runs'], summary: "Every notification a run sent or failed to send (recipients masked, no bodies)", params: IdParams, response: { 200: Rows('notifications'), ...errors(400, 401) } } },
    async (request) => ({ notifications: (await listNotifications(db, { runId: request.params.id })) as unknown as Array<Record<string, unknown>> }),
  );

  app.get(
    '/api/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alerts, newest first: one per cause, with its count, reminders and state',
        querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])) }, { additionalProperties: false }),
        response: { 200: Rows('alerts'), ...errors(400, 401) },
      },
    },
    async (request) => ({ alerts: (await listAlerts(db, { status: request.query.status })) as unknown as Array<Record<string, unknown>> }),
  );
};
