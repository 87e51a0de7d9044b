/**
 * The runs API: list (keyset paging, newest first), show with attempts and event, and what a person
 * does to a run: retry from the failed step, cancel, replay on the current flow version, signal, and
 * the approve/reject shortcuts that find the waiting approval step themselves.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { UserError } from '../../core/errors.ts';
import type { Engine } from '../../engine/engine.ts';
import type { RunRecord } from '../../store/port.ts';
import { RunNotFoundError } from '../../store/sql-ops.ts';
import { presentAttempt, presentEvent, presentRun } from '../present.ts';
import { DecisionBody, IdParams, RetryQuery, RunDetailSchema, RunListQuery, RunListSchema, RunOnlySchema, SignalBody, errors } from '../schemas.ts';

export const runRoutes: FastifyPluginAsyncTypebox<{ engine: Engine }> = async (app, { engine }) => {
  const store = engine.store;
  const tags = ['runs'];

  async function mustGetRun(id: number): Promise<RunRecord> {
    const run = await store.getRun(id);
    if (!run) throw new RunNotFoundError(id);
    return run;
  }

  /** The approval step a run waits at, or a 409 saying why there is none. */
  async function waitingApproval(run: RunRecord): Promise<string> {
    const step = run.status === 'waiting' && run.waitingFor?.startsWith('signal:') ? run.waitingFor.slice('signal:'.length) : undefined;
    const kind = step ? (await engine.catalog.get(run.flowId, run.flowVersion)).steps.get(step)?.step.kind : undefined;
    if (!step || kind !== 'approval') {
      const state = `${run.status}${run.waitingFor ? ` (${run.waitingFor})` : ''}`;
      throw new UserError('OF_RUN_NOT_AWAITING_APPROVAL', `run ${run.id} is ${state}, not waiting at an approval step; use POST /api/runs/${run.id}/signal for other waits`, { runId: run.id, status: run.status });
    }
    return step;
  }

  app.get(
    '/api/runs',
    { schema: { tags, summary: 'List runs, newest first', querystring: RunListQuery, response: { 200: RunListSchema, ...errors(400, 401) } } },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 50;
      const runs = await store.listRuns({ status: q.status, flowId: q.flow, entityKey: q.entity, limit, beforeId: q.before });
      const last = runs[runs.length - 1];
      return { runs: runs.map(presentRun), nextBefore: runs.length === limit && last ? last.id : null };
    },
  );

  app.get(
    '/api/runs/:id',
    { schema: { tags, summary: 'Show a run with its attempts and its event', params: IdParams, response: { 200: RunDetailSchema, ...errors(400, 401, 404) } } },
    async (request) => {
      const run = await mustGetRun(request.params.id);
      const [attempts, event] = await Promise.all([store.listAttempts(run.id), store.getEvent(run.eventId)]);
      return { run: presentRun(run), attempts: attempts.map(presentAttempt), event: event ? presentEvent(event) : null };
    },
  );

  app.post(
    '/api/runs/:id/retry',
    { schema: { tags, summary: 'Retry a blocked or dead run from the failed step (?flow=current: under the flow as loaded now)', params: IdParams, querystring: RetryQuery, response: { 200: RunOnlySchema, ...errors(400, 401, 404, 409) } } },
    async (request) => {
      if (request.query.flow !== 'current') return { run: presentRun(await store.retryRun(request.params.id)) };
      const run = await mustGetRun(request.params.id);
      const current = engine.catalog.currentOf(run.flowId);
      if (!current) throw new UserError('OF_FLOW_UNKNOWN', `flow '${run.flowId}' is not loaded, so run ${run.id} cannot move to its current version; add the flow to the flows directory and restart`, { flowId: run.flowId });
      if (run.currentStep !== null && !current.steps.has(run.currentStep)) {
        throw new UserError('OF_RETRY_STEP_MISSING', `run ${run.id} resumes at step '${run.currentStep}', which the current version of flow '${run.flowId}' does not have; retry without ?flow=current, or replay the run (POST /api/runs/${run.id}/replay)`, { runId: run.id, step: run.currentStep });
      }
      return { run: presentRun(await store.retryRun(run.id, Date.now(), current.version)) };
    },
  );

  app.post(
    '/api/runs/:id/cancel',
    { schema: { tags, summary: 'Cancel an unfinished run', params: IdParams, response: { 200: RunOnlySchema, ...errors(400, 401, 404, 409) } } },
    async (request) => ({ run: presentRun(await store.cancelRun(request.params.id)) }),
  );

  app.post(
    '/api/runs/:id/replay',
    {
      schema: {
        tags,
        summary: 'Start a new run of the same event on the current flow version',
        params: IdParams,
        response: { 201: RunOnlySchema, ...errors(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const run = await mustGetRun(request.params.id);
      const current = engine.catalog.currentOf(run.flowId);
      const first = current ? current.flow.steps[0] : undefined;
      if (!current || !first) throw new UserError('OF_FLOW_UNKNOWN', `flow '${run.flowId}' is not loaded, so run ${run.id} cannot be replayed; add the flow to the flows directory and restart`, { flowId: run.flowId });
      const replay = await store.replayRun(run.id, first.id, current.version);
      return reply.code(201).send({ run: presentRun(replay) });
    },
  );

  app.post(
    '/api/runs/:id/signal',
    {
      schema: {
        tags,
        summary: 'Send a signal to a run waiting at a step',
        params: IdParams,
        body: SignalBody,
        response: { 202: RunOnlySchema, ...errors(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      await store.signal(request.params.id, request.body.step, request.body.payload ?? null);
      return reply.code(202).send({ run: presentRun(await mustGetRun(request.params.id)) });
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post(
      `/api/runs/:id/${decision}`,
      {
        schema: {
          tags,
          summary: `${decision === 'approve' ? 'Approve' : 'Reject'} the approval a run waits for`,
          params: IdParams,
          body: DecisionBody,
          response: { 202: RunOnlySchema, ...errors(400, 401, 404, 409) },
        },
        // The body is optional: `curl -X POST …/approve` must do.
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request, reply) => {
        const run = await mustGetRun(request.params.id);
        const step = await waitingApproval(run);
        const { by, comment } = request.body;
        await store.signal(run.id, step, { decision, ...(by !== undefined ? { by } : {}), ...(comment !== undefined ? { comment } : {}) });
        return reply.code(202).send({ run: presentRun(await mustGetRun(run.id)) });
      },
    );
  }
};
