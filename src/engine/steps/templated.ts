/**
 * Step fields that may come from the flow's settings: a role, a recipient, a duration written as a
 * template (`role: '{{ settings.approval.role }}'`, `timeout: '{{ settings.approval.timeout }}'`) is
 * rendered against the run's data when the step runs; any other value is used as written.
 */
import { UserError } from '../../core/errors.ts';
import { parseDuration } from '../../flows/duration.ts';
import { renderTemplate } from '../../flows/mapping.ts';
import type { StepEnv } from './types.ts';

type StepData = StepEnv['data'];

export function isTemplated(value: unknown): value is string {
  return typeof value === 'string' && value.includes('{{');
}

export async function resolveText(value: string, data: StepData, field: string): Promise<string> {
  if (!isTemplated(value)) return value;
  const text = (await renderTemplate(value, data)).trim();
  if (text === '') throw new UserError('OF_FLOW_SETTING_EMPTY', `${field} '${value}' renders empty; set the setting it names in the flow's settings`, { field });
  return text;
}

export async function resolveDuration(value: string | number, data: StepData, field: string): Promise<number> {
  return parseDuration(isTemplated(value) ? await resolveText(value, data, field) : value);
}
