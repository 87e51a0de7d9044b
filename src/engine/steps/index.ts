import type { FlowStep } from '../../flows/types.ts';
import { executeAction } from './action.ts';
import { executeCode, executeNotify, executeXref } from './effects.ts';
import { executeBranch, executeMap, executeValidate } from './logic.ts';
import type { StepEnv, StepOutcome } from './types.ts';
import { executeApproval, executeWait } from './waiting.ts';

export type { StepEnv, StepOutcome } from './types.ts';

/** Dispatches on the step's kind; the switch is exhaustive, so a new kind fails to compile until handled. */
export function executeStep(env: StepEnv): Promise<StepOutcome> {
  const step: FlowStep = env.step;
  switch (step.kind) {
    case 'action':
      return executeAction({ ...env, step });
    case 'validate':
      return executeValidate({ ...env, step });
    case 'branch':
      return executeBranch({ ...env, step });
    case 'map':
      return executeMap({ ...env, step });
    case 'approval':
      return executeApproval({ ...env, step });
    case 'wait':
      return executeWait({ ...env, step });
    case 'notify':
      return executeNotify({ ...env, step });
    case 'xref':
      return executeXref({ ...env, step });
    case 'code':
      return executeCode({ ...env, step });
  }
}
