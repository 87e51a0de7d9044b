/** Read-only views: loaded flows, stored events, cross-references. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { UserError } from '../../core/errors.ts';
import type { Engine } from '../../engine/engine.ts';
import { presentEvent, presentXref } from '../present.ts';
import { EventSchema, FlowListSchema, IdParams, XrefListSchema, XrefQuery, errors } from '../schemas.ts';

export const readRoutes: FastifyPluginAsyncTypebox<{ engine: Engine }> = async (app, { engine }) => {
  app.get(
    '/api/flows',
    { schema: { tags: ['flows'], summary: 'The loaded flows: current version, trigger and steps', response: { 200: FlowListSchema, ...errors(401) } } },
    async () => ({
      flows: engine.catalog.list().map((c) => ({
        id: c.flow.id,
        name: c.flow.name ?? null,
        description: c.flow.description ?? null,
        version: c.version,
        trigger: c.flow.trigger ?? null,
        steps: c.flow.steps.map((s) => ({ id: s.id, kind: s.kind })),
      })),
    }),
  );

  app.get(
    '/api/events/:id',
    { schema: { tags: ['events'], summary: 'Show a stored event', params: IdParams, response: { 200: Type.Object({ event: EventSchema }), ...errors(400, 401, 404) } } },
    async (request) => {
      const event = await engine.store.getEvent(request.params.id);
      if (!event) throw new UserError('OF_EVENT_NOT_FOUND', `event ${request.params.id} does not exist; a run's event id is in GET /api/runs/:id`, { eventId: request.params.id });
      return { event: presentEvent(event) };
    },
  );

  app.get(
    '/api/xrefs',
    {
      schema: {
        tags: ['xrefs'],
        summary: 'Cross-references of one entity, found by the id on either side',
        querystring: XrefQuery,
        response: { 200: XrefListSchema, ...errors(400, 401) },
      },
    },
    async (request) => {
      const { entity, system, id } = request.query;
      return { xrefs: (await engine.store.findXref(entity, system, id)).map(presentXref) };
    },
  );
};
