/** The steps that only think: validate, branch, map. No side effects, so they are always safe to repeat. */
import { UserError } from '../../core/errors.ts';
import { evaluateCondition } from '../../flows/conditions.ts';
import { evaluateMapping, renderTemplate } from '../../flows/mapping.ts';
import type { BranchStep, MapStep, ValidateStep } from '../../flows/types.ts';
import type { StepEnv, StepOutcome } from './types.ts';
import { parseDuration } from '../../flows/duration.ts';

/** How long a blocked run keeps re-checking by itself when the flow does not say. */
const DEFAULT_RECHECK_FOR = '7d';

export async function executeValidate(env: StepEnv<ValidateStep>): Promise<StepOutcome> {
  const warnings: Array<{ code: string; message: string }> = [];
  for (const rule of env.step.rules) {
    if (evaluateCondition(rule.condition, env.data)) continue;
    const message = await renderTemplate(rule.message, env.data);
    const onFail = rule.onFail ?? 'block';
    if (onFail === 'continue') {
      warnings.push({ code: rule.code, message });
      continue;
    }
    const output = { ok: false, code: rule.code, message, warnings };
    if (onFail === 'skip-rest') return { kind: 'end', output };
    // With recheckFrom, a retry starts again at the step that read the facts, so a fixed cause is seen.
    const recheck = env.step.recheck ? { everyMs: parseDuration(env.step.recheck.every), forMs: parseDuration(env.step.recheck.for ?? DEFAULT_RECHECK_FOR) } : undefined;
    return { kind: 'block', error: new UserError(`OF_RULE_${rule.code}`, message, { rule: rule.code, step: env.step.id }), output, resumeAt: env.step.recheckFrom, recheck };
  }
  return { kind: 'done', output: { ok: true, warnings } };
}

export async function executeBranch(env: StepEnv<BranchStep>): Promise<StepOutcome> {
  for (const [i, c] of env.step.cases.entries()) {
    if (evaluateCondition(c.when, env.data)) return { kind: 'done', output: { case: i, goto: c.goto }, next: c.goto };
  }
  return { kind: 'done', output: { case: 'default', goto: env.step.default ?? null }, next: env.step.default };
}

export async function executeMap(env: StepEnv<MapStep>): Promise<StepOutcome> {
  const output = await evaluateMapping(env.step.expression, env.data);
  return { kind: 'done', output: output ?? null };
}
