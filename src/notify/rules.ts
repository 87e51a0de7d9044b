/** Rules: which notifications an engine event or an alert causes. */
import { evaluateCondition } from '../flows/conditions.ts';
import type { NotifyRule } from './types.ts';

/** `alert.run_blocked` matches itself; `alert.*` matches every alert; `*` matches everything. */
export function eventMatches(pattern: string, type: string): boolean {
  if (pattern === '*' || pattern === type) return true;
  return pattern.endsWith('*') && type.startsWith(pattern.slice(0, -1));
}

export function matchRules(rules: NotifyRule[] | undefined, type: string, data: unknown): NotifyRule[] {
  return (rules ?? []).filter((r) => eventMatches(r.event, type) && (r.when === undefined || evaluateCondition(r.when, data)));
}

const DEFAULT_TEMPLATES: Record<string, string> = {
  'alert.run_blocked': 'run-blocked',
  'alert.run_dead': 'run-dead',
  'alert.resolved': 'alert-resolved',
  'approval.requested': 'approval-requested',
  'approval.reminder': 'approval-reminder',
  'approval.expired': 'approval-expired',
};

/** The template of a rule that names none. */
export function templateFor(rule: NotifyRule, eventType: string): string {
  return rule.template ?? DEFAULT_TEMPLATES[eventType] ?? (eventType.startsWith('alert.') ? 'alert' : 'generic');
}
