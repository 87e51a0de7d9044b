/**
 * Steps that change nothing outside the run need no durable point of their own: the thinking steps (map,
 * branch, validate, any step its `when` skips), the reading steps (an action whose connector declares it
 * is not a write, an xref `get`) and an xref `put`, whose only effect is a row in our own database. The
 * executor runs a chain of them in memory and journals them, already finished, in the same transaction
 * as the outcome of the step before (if any) and either the start of the next step that acts or the run's
 * end; the cross-references they put are stored in that transaction too. A crash before that commit
 * loses nothing that had an effect: the chain runs again from the last durable point, and reading twice
 * changes nothing.
 *
 * The order flow reads the order, the customer, the credit and the stock, then thinks: one commit for all
 * of it instead of one per step. A reading step shows as running in the run only once something after it
 * acts; its attempt still carries its real start, finish and input.
 *
 * The chain stops at the first step that acts (a write action, notify, approval, wait, code) and
 * at a step whose outcome is not a plain "done": a block or an end is run again on its normal path, which
 * records that outcome; an error is captured, and the executor records it as that step's failed attempt
 * without running the step again.
 */
import { evaluateCondition } from '../flows/conditions.ts';
import { END, type ActionStep, type FlowStep } from '../flows/types.ts';
import type { CompletedAttempt, NewXref, RunContextData } from '../store/port.ts';
import type { CatalogFlow } from './catalog.ts';
import { executeStep, type StepEnv } from './steps/index.ts';
import type { StepJournal } from './steps/types.ts';

const THINKING = new Set(['map', 'branch', 'validate']);

export interface ThinkAheadInput {
  flow: CatalogFlow;
  from: string;
  context: RunContextData;
  data: StepEnv['data'];
  now: () => number;
  /** The environment a step runs in (attempt 1, a fresh journal). */
  envFor: (step: FlowStep, journal: StepJournal) => StepEnv;
  /** True for an action whose connector says it only reads. */
  readsOnly: (step: ActionStep) => boolean;
}

/** A step of the chain that threw: the executor records it as the failed first attempt of `stepId`. */
export interface AheadFailure {
  stepId: string;
  startedAt: number;
  input: unknown;
  error: unknown;
}

export interface Ahead {
  completed: CompletedAttempt[];
  /** The cross-references the completed steps put (to store with the write). */
  xrefs: NewXref[];
  /** The step to start next, or null: the chain reached the flow's end (the run is done). */
  next: string | null;
  failure?: AheadFailure;
}

/** Runs the steps from `from` on that need no durable point; answers their attempts and what comes next. */
export async function thinkAhead(x: ThinkAheadInput): Promise<Ahead> {
  const completed: CompletedAttempt[] = [];
  const xrefs: NewXref[] = [];
  let id = x.from;
  for (;;) {
    const step = x.flow.steps.get(id)?.step;
    if (!step) return { completed, xrefs, next: id };
    const skipped = step.when !== undefined && !evaluateCondition(step.when, x.data);
    const ridesAlong = THINKING.has(step.kind) || step.kind === 'xref' || (step.kind === 'action' && x.readsOnly(step));
    if (!skipped && !ridesAlong) return { completed, xrefs, next: id };
    // A cross-reference read after one put in this chain must see it: it runs after the write.
    if (!skipped && step.kind === 'xref' && step.op === 'get' && xrefs.length > 0) return { completed, xrefs, next: id };
    const startedAt = x.now();
    const journal: StepJournal = { deferWrites: true };
    let output: unknown = null;
    let goto: string | undefined;
    if (!skipped) {
      try {
        const outcome = await executeStep(x.envFor(step, journal));
        if (outcome.kind !== 'done') return { completed, xrefs, next: id };
        output = outcome.output;
        goto = outcome.next;
      } catch (error) {
        return { completed, xrefs, next: id, failure: { stepId: id, startedAt, input: journal.input, error } };
      }
    }
    const after = nextStepId(x.flow, step, goto);
    // A goto to a step the flow lacks: its normal path reports that.
    if (after !== null && !x.flow.steps.has(after)) return { completed, xrefs, next: id };
    x.context.steps[id] = output;
    completed.push({ stepId: id, attempt: 1, status: skipped ? 'skipped' : 'succeeded', input: journal.input, output, startedAt, finishedAt: x.now() });
    xrefs.push(...(journal.xrefs ?? []));
    if (after === null) return { completed, xrefs, next: null };
    id = after;
  }
}

/** The step after `step`: its goto, else the next in the file; null at the end. */
export function nextStepId(flow: CatalogFlow, step: FlowStep, goto: string | undefined): string | null {
  if (goto === END) return null;
  if (goto !== undefined) return goto;
  const i = flow.steps.get(step.id)?.index ?? -1;
  return flow.flow.steps[i + 1]?.id ?? null;
}
