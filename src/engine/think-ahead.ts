/**
 * Steps that only think (map, branch, validate, and any step its `when` skips) change nothing outside
 * the run, so they need no durable point of their own: after a step's outcome, the executor runs the
 * thinking steps that follow in memory and journals them, already finished, in the same transaction as
 * that outcome and the start of the next step that acts. The order flow's 20 steps cost about 10 commits
 * instead of 20. A crash before that commit loses nothing that was done: the thinking steps run again.
 *
 * The chain stops at the first step that acts (an action, notify, xref, approval, wait, code), at a step
 * whose outcome is not a plain "done" (a block, an end, an error: the executor runs it again on its normal
 * path, which records that outcome), and before the flow's end (the normal path ends the run).
 */
import { evaluateCondition } from '../flows/conditions.ts';
import { END, type FlowStep } from '../flows/types.ts';
import type { CompletedAttempt, RunContextData } from '../store/port.ts';
import type { CatalogFlow } from './catalog.ts';
import { executeStep, type StepEnv } from './steps/index.ts';

const THINKING = new Set(['map', 'branch', 'validate']);

export interface ThinkAheadInput {
  flow: CatalogFlow;
  from: string;
  context: RunContextData;
  data: StepEnv['data'];
  now: () => number;
  /** The environment a step runs in (attempt 1, a fresh journal). */
  envFor: (step: FlowStep, journal: { input?: unknown }) => StepEnv;
}

/** Runs the thinking steps from `from` on; answers their attempts and the step to start next. */
export async function thinkAhead(x: ThinkAheadInput): Promise<{ completed: CompletedAttempt[]; next: string }> {
  const completed: CompletedAttempt[] = [];
  let id = x.from;
  for (;;) {
    const step = x.flow.steps.get(id)?.step;
    if (!step) return { completed, next: id };
    const skipped = step.when !== undefined && !evaluateCondition(step.when, x.data);
    if (!skipped && !THINKING.has(step.kind)) return { completed, next: id };
    const startedAt = x.now();
    const journal: { input?: unknown } = {};
    let output: unknown = null;
    let goto: string | undefined;
    if (!skipped) {
      try {
        const outcome = await executeStep(x.envFor(step, journal));
        if (outcome.kind !== 'done') return { completed, next: id };
        output = outcome.output;
        goto = outcome.next;
      } catch {
        return { completed, next: id }; // its normal path runs it again and records the failure
      }
    }
    const after = nextStepId(x.flow, step, goto);
    if (after === null || !x.flow.steps.has(after)) return { completed, next: id };
    x.context.steps[id] = output;
    completed.push({ stepId: id, attempt: 1, status: skipped ? 'skipped' : 'succeeded', input: journal.input, output, startedAt, finishedAt: x.now() });
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
