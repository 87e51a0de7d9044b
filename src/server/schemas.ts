/**
 * The API's request and response schemas (TypeBox): fastify validates requests and serialises answers
 * with them, and @fastify/swagger turns them into the OpenAPI document at /api/docs/json.
 */
import { Type } from 'typebox';

export const RUN_STATUSES = ['queued', 'running', 'waiting', 'blocked', 'dead', 'succeeded', 'cancelled', 'skipped'] as const;

// Spelled out (not mapped from RUN_STATUSES) so the static type stays a union of the literals.
const RunStatusSchema = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('waiting'),
  Type.Literal('blocked'),
  Type.Literal('dead'),
  Type.Literal('succeeded'),
  Type.Literal('cancelled'),
  Type.Literal('skipped'),
]);

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Time = Type.String({ format: 'date-time' });
const Id = Type.Integer({ minimum: 1 });
/** Request shapes reject unknown fields, so a typo (`?flowId=`) is an error, not a silently ignored filter. */
const closed = { additionalProperties: false } as const;

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable error code, see docs/errors.md' }),
      message: Type.String({ description: 'what went wrong and how to fix it' }),
      kind: Type.Union([Type.Literal('user'), Type.Literal('transient'), Type.Literal('ambiguous'), Type.Literal('bug')]),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { description: 'every error answer has this shape' },
);

export const IdParams = Type.Object({ id: Id });

export const RunSchema = Type.Object(
  {
    id: Type.Integer(),
    flowId: Type.String(),
    flowVersion: Type.String(),
    eventId: Type.Integer(),
    entityKey: Type.String({ description: 'the lane: runs of one entity key run one at a time, in event order' }),
    laneSeq: Type.Integer(),
    eventVersion: Nullable(Type.String()),
    status: RunStatusSchema,
    currentStep: Nullable(Type.String()),
    stepAttempt: Type.Integer(),
    context: Type.Unknown({ description: 'outputs of completed steps and run variables' }),
    runAt: Time,
    lockedBy: Nullable(Type.String()),
    lockedUntil: Nullable(Time),
    lastError: Type.Unknown({ description: 'the last failure (code, kind, message, step), without stack' }),
    waitingFor: Nullable(Type.String({ description: '`signal:<step>` or `timer:<step>`' })),
    replayOf: Nullable(Type.Integer()),
    createdAt: Time,
    updatedAt: Time,
    finishedAt: Nullable(Time),
  },
  { description: 'one execution of one flow version for one event' },
);

export const AttemptSchema = Type.Object(
  {
    id: Type.Integer(),
    stepId: Type.String(),
    attempt: Type.Integer(),
    status: Type.String(),
    input: Type.Unknown(),
    output: Type.Unknown(),
    error: Type.Unknown(),
    startedAt: Time,
    finishedAt: Nullable(Time),
    durationMs: Nullable(Type.Number()),
  },
  { description: 'one try of one step' },
);

export const EventSchema = Type.Object(
  {
    id: Type.Integer(),
    dedupeKey: Type.String(),
    type: Type.String(),
    source: Type.String(),
    entityKey: Type.String(),
    version: Nullable(Type.String()),
    payload: Type.Unknown(),
    occurredAt: Nullable(Time),
    receivedAt: Time,
  },
  { description: 'one stored business fact' },
);

export const RunListQuery = Type.Object({
  status: Type.Optional(RunStatusSchema),
  flow: Type.Optional(Type.String({ minLength: 1, description: 'flow id' })),
  entity: Type.Optional(Type.String({ minLength: 1, description: 'entity key (lane), e.g. shop:order:1234' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'only runs with an id below this: pass the previous page\'s nextBefore' })),
}, closed);

export const RunListSchema = Type.Object({
  runs: Type.Array(RunSchema),
  nextBefore: Nullable(Type.Integer({ description: 'pass as `before` for the next (older) page; null on the last page' })),
});

export const RunOnlySchema = Type.Object({ run: RunSchema });
export const RunDetailSchema = Type.Object({ run: RunSchema, attempts: Type.Array(AttemptSchema), event: Nullable(EventSchema) });

export const SignalBody = Type.Object({
  step: Type.String({ minLength: 1, description: 'the step waiting for the signal (`waitingFor` is `signal:<step>`)' }),
  payload: Type.Optional(Type.Unknown({ description: "for approvals: { decision: 'approve'|'reject', by?, comment? }" })),
}, closed);

export const RetryQuery = Type.Object({
  flow: Type.Optional(
    Type.Union([Type.Literal('same'), Type.Literal('current')], {
      description: 'same (default): the flow version the run started with; current: the flow as loaded now, so a fix made in the flow (a mapping in its settings) applies. Completed steps stay done either way.',
    }),
  ),
});

export const DecisionBody = Type.Object({
  by: Type.Optional(Type.String({ minLength: 1, description: 'who decided' })),
  comment: Type.Optional(Type.String()),
}, closed);

export const HookParams = Type.Object({ connection: Type.String({ minLength: 1 }) });
export const HookQuery = Type.Object({ trigger: Type.Optional(Type.String({ minLength: 1, description: 'the webhook trigger to use when the connector has several' })) });
export const HookAccepted = Type.Object({
  received: Type.Integer({ description: 'events newly stored' }),
  duplicates: Type.Integer({ description: 'events already known (nothing created)' }),
  eventIds: Type.Array(Type.Integer()),
  runIds: Type.Array(Type.Integer()),
});

export const FlowListSchema = Type.Object({
  flows: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Nullable(Type.String()),
      description: Nullable(Type.String()),
      version: Type.String({ description: 'sha256 of the flow definition' }),
      trigger: Type.Unknown(),
      steps: Type.Array(Type.Object({ id: Type.String(), kind: Type.String() })),
    }),
  ),
});

export const XrefQuery = Type.Object({
  entity: Type.String({ minLength: 1, description: 'e.g. order' }),
  system: Type.String({ minLength: 1, description: 'either side: e.g. shop or erp' }),
  id: Type.String({ minLength: 1, description: 'the id in that system' }),
}, closed);

export const XrefListSchema = Type.Object({
  xrefs: Type.Array(
    Type.Object({
      entity: Type.String(),
      leftSystem: Type.String(),
      leftId: Type.String(),
      rightSystem: Type.String(),
      rightId: Type.String(),
      data: Type.Unknown(),
      createdAt: Time,
    }),
  ),
});

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  store: Type.Object({ ok: Type.Boolean(), dialect: Type.String(), latencyMs: Type.Number(), error: Type.Optional(Type.String()) }),
  pollers: Type.Array(
    Type.Object({
      name: Type.String(),
      active: Type.Boolean({ description: 'this process holds the poller lease' }),
      lastPollAt: Nullable(Time),
      lastSuccessAt: Nullable(Time),
      lastError: Nullable(Type.String()),
      eventsEmitted: Type.Integer(),
    }),
  ),
});

/** The error answers a route may give, for the OpenAPI document. */
export function errors(...codes: number[]): Record<number, typeof ErrorSchema> {
  return Object.fromEntries(codes.map((c) => [c, ErrorSchema]));
}
