/**
 * The TypeBox schema of a flow file. `FlowFileSchema` is the whole file as JSON Schema (steps are a
 * union discriminated by `kind`), for editors, the API and docs. Validation in ./validate.ts checks a
 * file in two passes (`FlowHeaderSchema`, then each step against `StepSchemas[kind]`) so a mistake in
 * one step is reported against that step's kind instead of against every member of the union.
 */
import { Type } from 'typebox';

const ID = '^[a-z0-9][a-z0-9-]*$';

export const StepId = Type.String({ pattern: ID, maxLength: 64, description: 'unique within the flow: lower-case letters, digits and dashes' });
/** A JSONata expression over the run context (compiled during validation). */
export const Jsonata = Type.String({ minLength: 1, description: 'JSONata expression over the run context' });
/** A text with `{{ JSONata }}` parts. */
export const Template = Type.String({ description: 'text with {{ JSONata }} parts' });
/** A JSON Logic rule (an object or a literal). Operators are checked during validation. */
export const JsonLogic = Type.Unknown({ description: 'JSON Logic rule' });
/** "500ms", "30s", "5m", "2h", "3d" or a whole number of milliseconds (syntax checked during validation). */
export const Duration = Type.Union([Type.String(), Type.Integer({ minimum: 0 })], { description: 'duration: "500ms", "30s", "5m", "2h", "3d" or milliseconds' });

export const RetryPolicySpecSchema = Type.Object(
  {
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    initialDelayMs: Type.Optional(Type.Integer({ minimum: 0 })),
    maxDelayMs: Type.Optional(Type.Integer({ minimum: 0 })),
    factor: Type.Optional(Type.Number({ minimum: 1, maximum: 100 })),
    jitter: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);

/** Fields every step has, whatever its kind. */
const common = {
  id: StepId,
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  when: Type.Optional(JsonLogic),
  retry: Type.Optional(RetryPolicySpecSchema),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 1 })),
};

const strict = { additionalProperties: false } as const;

export const ActionStepSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal('action'),
    connection: Type.String({ minLength: 1, description: 'the name of a configured connection, e.g. erp' }),
    action: Type.String({ minLength: 1, description: "an action of that connection's connector, e.g. createOrder" }),
    input: Type.Optional(Jsonata),
  },
  strict,
);

export const ValidationRuleSchema = Type.Object(
  {
    condition: JsonLogic,
    code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$', maxLength: 64 }),
    message: Template,
    onFail: Type.Optional(Type.Union([Type.Literal('block'), Type.Literal('skip-rest'), Type.Literal('continue')])),
  },
  strict,
);

export const ValidateStepSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal('validate'),
    rules: Type.Array(ValidationRuleSchema, { minItems: 1 }),
    recheckFrom: Type.Optional(
      Type.String({ pattern: ID, maxLength: 64, description: 'an earlier step (or this one): a retry of a run this step blocked starts again there, so the facts are read afresh' }),
    ),
    recheck: Type.Optional(
      Type.Object(
        {
          every: Duration,
          for: Type.Optional(Duration),
        },
        { ...strict, description: 'a run this step blocked is retried by itself every `every` (from recheckFrom), for at most `for` (default 7d); it stays blocked, and a person can still retry it at once' },
      ),
    ),
  },
  strict,
);

export const BranchCaseSchema = Type.Object({ when: JsonLogic, goto: StepId }, strict);

export const BranchStepSchema = Type.Object(
  { ...common, kind: Type.Literal('branch'), cases: Type.Array(BranchCaseSchema, { minItems: 1 }), default: Type.Optional(StepId) },
  strict,
);

export const MapStepSchema = Type.Object({ ...common, kind: Type.Literal('map'), expression: Jsonata }, strict);

export const ApprovalStepSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal('approval'),
    role: Type.String({ minLength: 1, description: 'the role whose members may decide, e.g. approvers' }),
    message: Type.Optional(Template),
    timeout: Type.Optional(Duration),
    remindEvery: Type.Optional(Duration),
    onTimeout: Type.Optional(Type.Union([Type.Literal('reject'), Type.Literal('approve'), Type.Literal('block')])),
  },
  strict,
);

export const NotifyStepSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal('notify'),
    channel: Type.Union([Type.Literal('email'), Type.Literal('webhook'), Type.Literal('sms')]),
    to: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'recipients: role:<name>, e-mail addresses, URLs or phone numbers' }),
    template: Type.String({ minLength: 1, description: 'the name of a notification template, e.g. credit-blocked' }),
    data: Type.Optional(Jsonata),
  },
  strict,
);

export const WaitStepSchema = Type.Object({ ...common, kind: Type.Literal('wait'), duration: Type.Optional(Duration), until: Type.Optional(Jsonata) }, strict);

export const XrefStepSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal('xref'),
    op: Type.Union([Type.Literal('put'), Type.Literal('get')]),
    system: Type.String({ minLength: 1 }),
    entity: Type.String({ minLength: 1 }),
    key: Jsonata,
    value: Type.Optional(Jsonata),
  },
  strict,
);

export const CodeStepSchema = Type.Object({ ...common, kind: Type.Literal('code'), source: Type.String({ minLength: 1, description: 'the code to run (sandboxed; reserved)' }) }, strict);

/** The step schema for each `kind`. */
export const StepSchemas = {
  action: ActionStepSchema,
  validate: ValidateStepSchema,
  branch: BranchStepSchema,
  map: MapStepSchema,
  approval: ApprovalStepSchema,
  notify: NotifyStepSchema,
  wait: WaitStepSchema,
  xref: XrefStepSchema,
  code: CodeStepSchema,
} as const;

export type StepKind = keyof typeof StepSchemas;
export const STEP_KINDS = Object.keys(StepSchemas) as StepKind[];

// Listed one by one (not Object.values) so the static type stays a union of the step types.
export const FlowStepSchema = Type.Union([
  ActionStepSchema,
  ValidateStepSchema,
  BranchStepSchema,
  MapStepSchema,
  ApprovalStepSchema,
  NotifyStepSchema,
  WaitStepSchema,
  XrefStepSchema,
  CodeStepSchema,
]);

/** Exactly one of the three forms; which one is checked during validation. */
export const TriggerSchema = Type.Object(
  {
    connection: Type.Optional(Type.String({ minLength: 1 })),
    event: Type.Optional(Type.String({ minLength: 1 })),
    schedule: Type.Optional(Type.Object({ every: Duration }, strict)),
    cron: Type.Optional(Type.String({ minLength: 1 })),
  },
  strict,
);

const flowFields = {
  id: Type.String({ pattern: ID, maxLength: 64 }),
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  trigger: Type.Optional(TriggerSchema),
  settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
};

export const FlowFileSchema = Type.Object({ ...flowFields, steps: Type.Array(FlowStepSchema, { minItems: 1 }) }, strict);

/** The file without the step details (pass one of validation). */
export const FlowHeaderSchema = Type.Object({ ...flowFields, steps: Type.Array(Type.Unknown(), { minItems: 1 }) }, strict);
