/** Steps with effects outside a connector: notify (through the notifier port) and xref (the cross-reference store). */
import { UserError } from '../../core/errors.ts';
import { evaluateMapping } from '../../flows/mapping.ts';
import type { NotifyStep, XrefStep, CodeStep } from '../../flows/types.ts';
import type { StepEnv, StepOutcome } from './types.ts';
import { resolveText } from './templated.ts';

export async function executeNotify(env: StepEnv<NotifyStep>): Promise<StepOutcome> {
  if (!env.notifier) {
    throw new UserError('OF_NOTIFY_NOT_CONFIGURED', `step '${env.step.id}' sends a ${env.step.channel} notification but no notifications are configured; add a notifications section to the configuration`, { step: env.step.id });
  }
  const data = env.step.data ? await evaluateMapping(env.step.data, env.data) : env.data;
  const result = await env.notifier.send({
    channel: env.step.channel,
    // A recipient may name a setting: '{{ "role:" & settings.approval.role }}'.
    to: await Promise.all(env.step.to.map((to, i) => resolveText(to, env.data, `to[${i}]`))),
    template: env.step.template,
    data,
    runId: env.run.id,
    stepId: env.step.id,
    flowId: env.flow.flow.id,
    idempotencyKey: `${env.run.id}:${env.step.id}`,
  });
  return { kind: 'done', output: result };
}

/**
 * Cross-references between the trigger's system and another one: `put` stores key (in the trigger's
 * system) ⇄ value.id (in `system`), keeping the rest of value as data; `get` reads it back (null when absent).
 */
export async function executeXref(env: StepEnv<XrefStep>): Promise<StepOutcome> {
  const { step } = env;
  const key = String(await evaluateMapping(step.key, env.data));
  const home = env.flow.flow.trigger?.connection ?? env.event.source;
  if (step.op === 'get') {
    const found = (await env.store.findXref(step.entity, home, key)).find((x) => x.rightSystem === step.system);
    return { kind: 'done', output: found ? { id: found.rightId, ...found.data } : null };
  }
  const value = step.value ? await evaluateMapping(step.value, env.data) : null;
  const obj = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : { id: value };
  if (obj.id === undefined || obj.id === null) {
    throw new UserError('OF_XREF_NO_ID', `step '${step.id}': the xref value has no 'id'; return an object like { "id": DocEntry, "DocNum": … }`, { step: step.id });
  }
  const xref = { entity: step.entity, leftSystem: home, leftId: key, rightSystem: step.system, rightId: String(obj.id), data: obj };
  if (env.journal.deferWrites) (env.journal.xrefs ??= []).push(xref);
  else await env.store.putXref(xref);
  return { kind: 'done', output: { id: xref.rightId, ...xref.data } };
}

export async function executeCode(env: StepEnv<CodeStep>): Promise<StepOutcome> {
  throw new UserError('OF_CODE_STEP_UNAVAILABLE', `step '${env.step.id}' is a code step; sandboxed code steps are not available in this version, use a map step (JSONata) instead`, { step: env.step.id });
}
