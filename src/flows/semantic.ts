/**
 * Checks a schema cannot express: unique step ids, `goto` targets, expressions that must compile,
 * JSON Logic operators, durations, and fields that only make sense together. Every check is defensive
 * about types, because it runs on files that may also have schema errors (all problems are reported
 * in one pass).
 */
import { checkConditionOperators } from './conditions.ts';
import { DURATION_FIX, tryParseDuration } from './duration.ts';
import type { PathSegment } from './locate.ts';
import { mappingSyntaxError, templateExpressions } from './mapping.ts';
import { stepReferencesInJsonata, stepReferencesInLogic, stepReferencesInTemplate } from './references.ts';
import { closest } from './suggest.ts';
import { isPlainObject, type RawIssue } from './schema-issues.ts';
import { END } from './types.ts';

/** A field written as a template takes its value from the run's data (settings) when the step runs. */
function isTemplated(value: unknown): boolean {
  return typeof value === 'string' && value.includes('{{');
}

type Obj = Record<string, unknown>;

/** Where a field sits: its step's position and every step id with its first position. */
interface Scope {
  index: number;
  ids: Map<string, number>;
}

/** Semantic issues of a parsed flow file (any shape). */
export function semanticIssues(flow: Obj): RawIssue[] {
  const issues: RawIssue[] = [];
  if (isPlainObject(flow['trigger'])) issues.push(...triggerIssues(flow['trigger']));
  const steps = Array.isArray(flow['steps']) ? (flow['steps'] as unknown[]) : [];
  const firstIndex = new Map<string, number>();
  steps.forEach((step, i) => {
    if (!isPlainObject(step) || typeof step['id'] !== 'string') return;
    const prev = firstIndex.get(step['id']);
    if (prev === undefined) firstIndex.set(step['id'], i);
    else issues.push({ path: ['steps', i, 'id'], message: `step id "${step['id']}" is already used by steps[${prev}]`, fix: 'give every step its own id' });
  });
  steps.forEach((step, i) => {
    if (isPlainObject(step)) issues.push(...stepIssues(step, ['steps', i], { index: i, ids: firstIndex }));
  });
  return issues;
}

function stepIssues(step: Obj, at: PathSegment[], scope: Scope): RawIssue[] {
  const issues: RawIssue[] = [];
  issues.push(...logic(step['when'], [...at, 'when'], scope));
  if (isPlainObject(step['retry'])) {
    const { initialDelayMs, maxDelayMs } = step['retry'];
    if (typeof initialDelayMs === 'number' && typeof maxDelayMs === 'number' && maxDelayMs < initialDelayMs) {
      issues.push({ path: [...at, 'retry', 'maxDelayMs'], message: `maxDelayMs (${maxDelayMs}) is below initialDelayMs (${initialDelayMs})`, fix: 'make maxDelayMs at least initialDelayMs' });
    }
  }
  switch (step['kind']) {
    case 'action':
      issues.push(...expression(step['input'], [...at, 'input'], scope));
      break;
    case 'map':
      issues.push(...expression(step['expression'], [...at, 'expression'], scope));
      break;
    case 'validate':
      if (Array.isArray(step['rules'])) {
        step['rules'].forEach((rule: unknown, r) => {
          if (!isPlainObject(rule)) return;
          issues.push(...logic(rule['condition'], [...at, 'rules', r, 'condition'], scope));
          issues.push(...template(rule['message'], [...at, 'rules', r, 'message'], scope));
        });
      }
      issues.push(...recheckTarget(step['recheckFrom'], [...at, 'recheckFrom'], scope));
      if (isPlainObject(step['recheck'])) issues.push(...duration(step['recheck']['every'], [...at, 'recheck', 'every']), ...duration(step['recheck']['for'], [...at, 'recheck', 'for']));
      break;
    case 'branch':
      if (Array.isArray(step['cases'])) {
        step['cases'].forEach((c: unknown, k) => {
          if (!isPlainObject(c)) return;
          issues.push(...logic(c['when'], [...at, 'cases', k, 'when'], scope));
          issues.push(...target(c['goto'], [...at, 'cases', k, 'goto'], scope));
        });
      }
      issues.push(...target(step['default'], [...at, 'default'], scope));
      break;
    case 'approval':
      for (const f of ['timeout', 'remindEvery'] as const) issues.push(...(isTemplated(step[f]) ? template(step[f], [...at, f], scope) : duration(step[f], [...at, f])));
      issues.push(...template(step['message'], [...at, 'message'], scope), ...template(step['role'], [...at, 'role'], scope));
      break;
    case 'notify':
      issues.push(...recipients(step['channel'], step['to'], [...at, 'to']), ...expression(step['data'], [...at, 'data'], scope));
      if (Array.isArray(step['to'])) step['to'].forEach((entry: unknown, i) => issues.push(...(isTemplated(entry) ? template(entry, [...at, 'to', i], scope) : [])));
      break;
    case 'wait':
      if ((step['duration'] === undefined) === (step['until'] === undefined)) {
        issues.push({ path: at, message: 'a wait step needs exactly one of `duration` and `until`', fix: 'write `duration: 10m` or `until: <JSONata giving an ISO date-time>`' });
      }
      issues.push(...duration(step['duration'], [...at, 'duration']), ...expression(step['until'], [...at, 'until'], scope));
      break;
    case 'xref':
      if (step['op'] === 'put' && step['value'] === undefined) {
        issues.push({ path: [...at, 'value'], message: '`value` is required when op is put', fix: 'add `value:` with a JSONata expression giving the id to remember' });
      }
      if (step['op'] === 'get' && step['value'] !== undefined) {
        issues.push({ path: [...at, 'value'], message: '`value` is only used when op is put', fix: 'remove `value`, or change op to put', atKey: true });
      }
      issues.push(...expression(step['key'], [...at, 'key'], scope), ...expression(step['value'], [...at, 'value'], scope));
      break;
    default:
      break;
  }
  return issues;
}

const ADDRESS: Record<string, { test: RegExp; what: string; example: string }> = {
  email: { test: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, what: 'an e-mail address', example: 'ops@example.com' },
  webhook: { test: /^https?:\/\/\S+$/, what: 'an http(s) URL', example: 'https://hooks.example.com/orderflow' },
  sms: { test: /^\+[1-9]\d{6,14}$/, what: 'a phone number in international form', example: '+4915112345678' },
};

/** Each recipient is `role:<name>` or an address of the channel's kind. */
function recipients(channel: unknown, to: unknown, at: PathSegment[]): RawIssue[] {
  const rule = typeof channel === 'string' ? ADDRESS[channel] : undefined;
  if (!rule || !Array.isArray(to)) return [];
  const issues: RawIssue[] = [];
  to.forEach((entry: unknown, i) => {
    if (typeof entry !== 'string' || isTemplated(entry)) return; // a template is checked as one, and its text when sent
    if (entry.startsWith('role:')) {
      if (!/^role:[a-z0-9][a-z0-9_-]*$/i.test(entry)) issues.push({ path: [...at, i], message: `recipient ${JSON.stringify(entry)} names no role`, fix: 'write role:<name>, e.g. role:sales' });
      return;
    }
    if (!rule.test.test(entry)) {
      issues.push({ path: [...at, i], message: `recipient ${JSON.stringify(entry)} is neither role:<name> nor ${rule.what} (channel ${String(channel)})`, fix: `write role:<name> or ${rule.what}, e.g. ${rule.example}` });
    }
  });
  return issues;
}

function triggerIssues(t: Obj): RawIssue[] {
  const issues: RawIssue[] = [];
  const forms = [t['connection'] !== undefined || t['event'] !== undefined, t['schedule'] !== undefined, t['cron'] !== undefined].filter(Boolean).length;
  const fix = 'write one of: `{ connection: shop, event: order.confirmed }`, `{ schedule: { every: 5m } }` or `{ cron: "*/5 * * * *" }`';
  if (forms !== 1) {
    issues.push({ path: ['trigger'], message: forms === 0 ? 'the trigger is empty' : 'a trigger has exactly one form: an event, a schedule or a cron', fix });
  } else if ((t['connection'] === undefined) !== (t['event'] === undefined)) {
    const missing = t['connection'] === undefined ? 'connection' : 'event';
    issues.push({ path: ['trigger', missing], message: `an event trigger needs both \`connection\` and \`event\`; \`${missing}\` is missing`, fix: `add \`${missing}:\`` });
  }
  if (isPlainObject(t['schedule'])) issues.push(...duration(t['schedule']['every'], ['trigger', 'schedule', 'every']));
  if (typeof t['cron'] === 'string') {
    const problem = cronProblem(t['cron']);
    if (problem) issues.push({ path: ['trigger', 'cron'], message: problem, fix: 'write five fields: minute hour day-of-month month day-of-week, e.g. "*/5 * * * *"' });
  }
  return issues;
}

const CRON_FIELD = /^(?:\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/\d+)?(?:,(?:\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/\d+)?)*$/;

function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return `cron "${cron}" has ${fields.length} fields, expected 5`;
  const bad = fields.find((f) => !CRON_FIELD.test(f));
  return bad === undefined ? undefined : `cron field "${bad}" is not understood`;
}

function target(goto: unknown, at: PathSegment[], { index: from, ids }: Scope): RawIssue[] {
  if (typeof goto !== 'string' || goto === END) return [];
  const to = ids.get(goto);
  if (to === undefined) {
    return [{ path: at, message: `goto "${goto}" names no step of this flow`, fix: `use the id of a later step, or "${END}" to finish the run` }];
  }
  if (to <= from) {
    return [{ path: at, message: `goto "${goto}" points back to steps[${to}]; branches only jump forward, so every run ends`, fix: `point to a step after this one, or "${END}"` }];
  }
  return [];
}

/** `recheckFrom` names this step or an earlier one: a retry goes back there to read the facts again. */
function recheckTarget(id: unknown, at: PathSegment[], { index: from, ids }: Scope): RawIssue[] {
  if (typeof id !== 'string') return [];
  const to = ids.get(id);
  if (to === undefined) return [{ path: at, message: `recheckFrom "${id}" names no step of this flow`, fix: 'use the id of the step that reads the facts this validation checks' }];
  if (to > from) return [{ path: at, message: `recheckFrom "${id}" is steps[${to}], after this step`, fix: 'name this step or an earlier one' }];
  return [];
}

function logic(rule: unknown, at: PathSegment[], scope: Scope): RawIssue[] {
  if (rule === undefined) return [];
  const ops = checkConditionOperators(rule).map((i) => ({ path: [...at, ...i.segments], message: i.message, fix: i.fix, atKey: i.segments.length > 0 }));
  return ops.length > 0 ? ops : references(stepReferencesInLogic(rule), at, scope);
}

function expression(expr: unknown, at: PathSegment[], scope: Scope): RawIssue[] {
  if (typeof expr !== 'string' || expr === '') return [];
  const problem = mappingSyntaxError(expr);
  if (problem) {
    return [{ path: at, message: problem, fix: 'correct the expression near the character shown: check brackets, quotes, commas, and backticks around names with dashes (steps.`find-customer`)' }];
  }
  return references(stepReferencesInJsonata(expr), at, scope);
}

/** A read of `steps.<id>` must name a step that runs before the reading one. */
function references(ids: string[], at: PathSegment[], scope: Scope): RawIssue[] {
  const issues: RawIssue[] = [];
  for (const id of ids) {
    const pos = scope.ids.get(id);
    if (pos === undefined) {
      const near = closest(id, [...scope.ids.keys()]);
      issues.push({ path: at, message: `reads steps.${id}, but no step has the id "${id}"`, fix: near ? `did you mean steps.${near}?` : 'use the id of an earlier step' });
    } else if (pos >= scope.index) {
      issues.push({
        path: at,
        message: pos === scope.index ? `reads steps.${id}, the output of this very step, which does not exist yet` : `reads steps.${id}, which runs after this step (steps[${pos}])`,
        fix: 'read only the outputs of earlier steps, or move this step after the one it reads',
      });
    }
  }
  return issues;
}

function template(tpl: unknown, at: PathSegment[], scope: Scope): RawIssue[] {
  if (typeof tpl !== 'string') return [];
  const issues: RawIssue[] = [];
  const opens = tpl.split('{{').length - 1;
  const parts = templateExpressions(tpl);
  if (opens !== parts.length) issues.push({ path: at, message: 'a `{{` in this template is never closed', fix: 'close every `{{ expression` with `}}`' });
  for (const p of parts) {
    if (p.expr === '') {
      issues.push({ path: at, message: `empty {{ }} at character ${p.index}`, fix: 'put a JSONata expression between the braces, or remove them' });
      continue;
    }
    const problem = mappingSyntaxError(p.expr);
    if (problem) issues.push({ path: at, message: `in {{ ${p.expr} }}: ${problem}`, fix: 'correct the JSONata expression inside the braces' });
  }
  return issues.length > 0 ? issues : references(stepReferencesInTemplate(tpl), at, scope);
}

function duration(value: unknown, at: PathSegment[]): RawIssue[] {
  if (value === undefined || (typeof value !== 'string' && typeof value !== 'number')) return [];
  const r = tryParseDuration(value);
  return typeof r === 'string' ? [{ path: at, message: r, fix: DURATION_FIX }] : [];
}

