/**
 * The flow model, as TypeScript types. They are derived from the TypeBox schema in ./schema.ts, so the
 * two cannot drift apart. Glossary:
 * - flow: a trigger and ordered steps; its version identity is the sha256 of its canonical JSON;
 * - step: one unit of work with a unique `id`; `kind` says what it does;
 * - run context: what every expression sees: `{ event, steps, settings, run }` (see `RunContext`).
 */
import type { Static } from 'typebox';
import type {
  ActionStepSchema,
  ApprovalStepSchema,
  BranchCaseSchema,
  BranchStepSchema,
  CodeStepSchema,
  FlowFileSchema,
  MapStepSchema,
  NotifyStepSchema,
  RetryPolicySpecSchema,
  TriggerSchema,
  ValidateStepSchema,
  ValidationRuleSchema,
  WaitStepSchema,
  XrefStepSchema,
} from './schema.ts';

export type { StepKind } from './schema.ts';

export type RetryPolicySpec = Static<typeof RetryPolicySpecSchema>;
export type FlowTrigger = Static<typeof TriggerSchema>;
export type ActionStep = Static<typeof ActionStepSchema>;
export type ValidationRule = Static<typeof ValidationRuleSchema>;
export type ValidateStep = Static<typeof ValidateStepSchema>;
export type BranchCase = Static<typeof BranchCaseSchema>;
export type BranchStep = Static<typeof BranchStepSchema>;
export type MapStep = Static<typeof MapStepSchema>;
export type ApprovalStep = Static<typeof ApprovalStepSchema>;
export type NotifyStep = Static<typeof NotifyStepSchema>;
export type WaitStep = Static<typeof WaitStepSchema>;
export type XrefStep = Static<typeof XrefStepSchema>;
export type CodeStep = Static<typeof CodeStepSchema>;

export type FlowStep = ActionStep | ValidateStep | BranchStep | MapStep | ApprovalStep | NotifyStep | WaitStep | XrefStep | CodeStep;
export type FlowDefinition = Static<typeof FlowFileSchema>;

/** `validate` rule outcomes: block the run, end it as succeeded, or record a warning and go on. */
export type OnFail = NonNullable<ValidationRule['onFail']>;

/** `goto` target that ends the run successfully. */
export const END = 'end';

/** A flow read from a file: the definition, its source text, where it came from, and its version hash. */
export interface LoadedFlow {
  flow: FlowDefinition;
  source: string;
  file: string;
  /** sha256 (hex) of the canonical JSON of `flow`: the flow version identity. */
  hash: string;
}

/** One problem in a flow file, located precisely enough to fix it without reading any code. */
export interface FlowIssue {
  file: string;
  /** Path inside the file, e.g. `steps[3].retry.maxAttempts` (empty for the whole file). */
  path: string;
  /** 1-based line and column of the offending node (its parent when the node is missing). */
  line: number;
  column: number;
  message: string;
  fix: string;
}

/** What every JSONata expression, template and JSON Logic rule of a run sees. */
export interface RunContext {
  event: { type: string; entityKey: string; dedupeKey: string; payload: unknown; [key: string]: unknown };
  /** Outputs of the steps completed so far, by step id. */
  steps: Record<string, unknown>;
  /** The flow's `settings`. */
  settings: Record<string, unknown>;
  run: { id: string; flowId: string; flowVersion: string };
}
