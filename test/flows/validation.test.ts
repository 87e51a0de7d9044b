import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FlowValidationError, parseFlow } from '../../src/flows/load.ts';
import type { FlowIssue } from '../../src/flows/types.ts';

const brokenPath = fileURLToPath(new URL('./fixtures/broken.yaml', import.meta.url));

function issuesOf(source: string, file = 'flow.yaml'): FlowIssue[] {
  try {
    parseFlow(source, file);
  } catch (err) {
    if (err instanceof FlowValidationError) return err.issues;
    throw err;
  }
  return [];
}

function find(issues: FlowIssue[], path: string, message: RegExp): FlowIssue {
  const hit = issues.find((i) => i.path === path && message.test(i.message));
  assert.ok(hit, `expected an issue at ${path} matching ${String(message)}; got:\n${issues.map((i) => `${i.line} ${i.path}: ${i.message}`).join('\n')}`);
  return hit;
}

const MINIMAL = 'id: f\nsteps:\n  - id: a\n    kind: map\n    expression: "1"\n';

void describe('flow file validation', () => {
  void it('accepts a minimal flow', () => {
    assert.equal(parseFlow(MINIMAL, 'min.yaml').id, 'f');
  });

  void it('takes an approval\'s role, durations and a recipient from settings as templates, and checks those templates', () => {
    const step = (role: string, timeout: string, to: string) =>
      `id: f\nsettings: { approval: { role: directors, timeout: 2h } }\nsteps:\n  - id: tell\n    kind: notify\n    channel: email\n    to: [ '${to}' ]\n    template: t\n  - id: a\n    kind: approval\n    role: '${role}'\n    timeout: '${timeout}'\n`;
    assert.deepEqual(issuesOf(step('{{ settings.approval.role }}', '{{ settings.approval.timeout }}', 'role:{{ settings.approval.role }}')), []);
    const issues = issuesOf(step('{{ settings.approval.role', '{{ }}', 'role:{{ settings.approval.role'));
    find(issues, 'steps[1].role', /never closed/);
    find(issues, 'steps[1].timeout', /empty \{\{ \}\}/);
    find(issues, 'steps[0].to[0]', /never closed/);
    find(issuesOf(step('directors', '2 days', 'role:sales')), 'steps[1].timeout', /"2 days" is not understood/);
  });

  void it('reports every problem of a broken file in one pass, each with file, path, line and fix', async () => {
    const issues = issuesOf(await readFile(brokenPath, 'utf8'), brokenPath);
    const expected: Array<[string, number, RegExp, RegExp]> = [
      ['id', 1, /"Orders To ERP" is not a valid id/, /lower-case letters, digits and dashes, e\.g\. "orders-to-erp"/],
      ['trigger.event', 2, /needs both `connection` and `event`/, /add `event:`/],
      ['steps[0].action', 5, /`action` is required/, /add `action:`/],
      ['steps[0].actoin', 8, /unknown field `actoin`/, /did you mean `action`/],
      ['steps[0].input', 9, /JSONata expression does not compile/, /correct the expression/],
      ['steps[0].retry.maxAttempts', 10, /-1 is too small; the minimum is 1/, /at least 1/],
      ['steps[0].retry.maxDelayMs', 10, /below initialDelayMs/, /at least initialDelayMs/],
      ['steps[1].id', 11, /"find-customer" is already used by steps\[0\]/, /own id/],
      ['steps[1].cases[0].when.startWith', 14, /unknown JSON Logic operator 'startWith'/, /did you mean 'startsWith'/],
      ['steps[1].cases[0].goto', 15, /"nowhere" names no step/, /later step, or "end"/],
      ['steps[1].default', 16, /points back to steps\[0\]/, /after this one/],
      ['steps[2].duration', 19, /"5 minutes" is not understood/, /ms, s, m, h or d/],
      ['steps[3].timeout', 23, /"2 days" is not understood/, /"3d"/],
      ['steps[3].onTimeout', 24, /"escalate" is not allowed/, /one of "reject", "approve", "block"/],
      ['steps[4].rules[0].code', 29, /"bad code" is not a valid code/, /"BAD_CODE"/],
      ['steps[4].rules[0].message', 30, /in \{\{ \$string\( \}\}/, /inside the braces/],
      ['steps[5].kind', 32, /unknown step kind "mapp"/, /did you mean "map"/],
      ['steps[6].channel', 35, /"fax" is not allowed/, /"email", "webhook", "sms"/],
      ['steps[6].to', 36, /at least 1 entry/, /add an entry/],
      ['steps[7].value', 38, /`value` is required when op is put/, /add `value:`/],
    ];
    for (const [path, line, message, fix] of expected) {
      const issue = find(issues, path, message);
      assert.equal(issue.file, brokenPath);
      assert.equal(issue.line, line, `line of ${path}`);
      assert.ok(issue.column >= 1);
      assert.match(issue.fix, fix, `fix of ${path}`);
    }
    assert.equal(issues.length, expected.length, issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  });

  void it('throws a user error coded OF_FLOW_INVALID whose message lists file:line:col path, message and fix', async () => {
    const source = await readFile(brokenPath, 'utf8');
    assert.throws(
      () => parseFlow(source, 'broken.yaml'),
      (e: unknown) =>
        e instanceof FlowValidationError &&
        e.kind === 'user' &&
        e.code === 'OF_FLOW_INVALID' &&
        e.message.includes('broken.yaml:10:27 steps[0].retry.maxAttempts: -1 is too small; the minimum is 1 (fix: use a number of at least 1)'),
    );
  });

  void it('points an unknown field at its key and a missing field at the object lacking it', () => {
    const issues = issuesOf('id: f\nsteps:\n  - id: a\n    kind: map\n    expresion: "1"\n');
    const unknown = find(issues, 'steps[0].expresion', /unknown field/);
    assert.deepEqual([unknown.line, unknown.column], [5, 5]);
    const missing = find(issues, 'steps[0].expression', /is required/);
    assert.deepEqual([missing.line, missing.column], [3, 5]);
  });

  void it('reports YAML syntax errors with their line and column', () => {
    const issues = issuesOf('id: f\nsteps:\n  - id: a\n    kind: map\n    expression: "1\n', 'syntax.yaml');
    assert.ok(issues.length >= 1);
    assert.match(issues[0]?.message ?? '', /^YAML syntax: /);
    assert.ok((issues[0]?.line ?? 0) >= 5);
    assert.ok(issues[0]?.fix);
  });

  void it('rejects a duplicate key, a non-mapping document and an empty file', () => {
    assert.match(issuesOf('id: f\nid: g\nsteps: []\n')[0]?.fix ?? '', /repeated key/);
    assert.match(issuesOf('- a\n- b\n')[0]?.message ?? '', /a flow file is a mapping/);
    assert.match(issuesOf('')[0]?.message ?? '', /the file is empty/);
  });

  void it('requires kind on every step and lists the kinds', () => {
    const issue = find(issuesOf('id: f\nsteps:\n  - id: a\n'), 'steps[0].kind', /`kind` is required/);
    assert.match(issue.fix, /action, validate, branch, map, approval, notify, wait, xref, code/);
  });

  void it('checks JSON Logic in the when guard of any step', () => {
    const issues = issuesOf('id: f\nsteps:\n  - id: a\n    kind: map\n    expression: "1"\n    when: { and: [ { "=>": [1, 2] } ] }\n');
    const issue = find(issues, 'steps[0].when.and[0]["=>"]', /unknown JSON Logic operator '=>'/);
    assert.equal(issue.line, 6);
  });

  void it('checks trigger forms, cron syntax and schedule durations', () => {
    const both = issuesOf(`id: f\ntrigger: { cron: "* * * * *", schedule: { every: 5m } }\nsteps:\n  - { id: a, kind: map, expression: "1" }\n`);
    find(both, 'trigger', /exactly one form/);
    find(issuesOf(`id: f\ntrigger: { cron: "*/5 * * *" }\nsteps:\n  - { id: a, kind: map, expression: "1" }\n`), 'trigger.cron', /has 4 fields/);
    find(issuesOf(`id: f\ntrigger: { schedule: { every: soon } }\nsteps:\n  - { id: a, kind: map, expression: "1" }\n`), 'trigger.schedule.every', /not understood/);
    assert.deepEqual(issuesOf(`id: f\ntrigger: { schedule: { every: 5m } }\nsteps:\n  - { id: a, kind: map, expression: "1" }\n`), []);
  });

  void it('needs exactly one of duration and until on a wait step', () => {
    find(issuesOf('id: f\nsteps:\n  - { id: w, kind: wait }\n'), 'steps[0]', /exactly one of `duration` and `until`/);
    assert.deepEqual(issuesOf('id: f\nsteps:\n  - { id: w, kind: wait, until: "event.payload.shipAt" }\n'), []);
  });

  void it('accepts goto "end" and a code step with source', () => {
    const ok = 'id: f\nsteps:\n  - id: b\n    kind: branch\n    cases: [ { when: true, goto: end } ]\n  - { id: c, kind: code, source: "return 1" }\n';
    assert.deepEqual(issuesOf(ok), []);
  });

  void it('refuses YAML alias bombs', () => {
    const bomb = ['id: f', 'a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]', 'steps: []'].join('\n');
    const issues = issuesOf(bomb);
    assert.equal(issues.length, 1);
    assert.match(issues[0]?.message ?? '', /Excessive alias count/);
    assert.match(issues[0]?.fix ?? '', /anchors\/aliases/);
  });

  it('catches a read of a misspelt step id and suggests the right one', () => {
    const src = [
      'id: f',
      'steps:',
      '  - { id: find-customer, kind: action, connection: erp, action: findCustomer }',
      '  - id: to-sap',
      '    kind: map',
      '    expression: \'{ "CardCode": steps.`find-custmer`.CardCode }\'',
      '    when: { "!!": [ { var: "steps.find-customr.CardCode" } ] }',
    ].join('\n');
    const issues = issuesOf(src);
    const inExpr = find(issues, 'steps[1].expression', /reads steps\.find-custmer, but no step has the id "find-custmer"/);
    assert.equal(inExpr.line, 6);
    assert.match(inExpr.fix, /did you mean steps\.find-customer\?/);
    find(issues, 'steps[1].when', /reads steps\.find-customr/);
  });

  it('catches a read of a step that runs later or of the step itself', () => {
    const src = [
      'id: f',
      'steps:',
      '  - { id: a, kind: map, expression: "steps.b" }',
      '  - { id: b, kind: validate, rules: [ { condition: true, code: X, message: "{{ steps.b.x }}" } ] }',
    ].join('\n');
    const issues = issuesOf(src);
    find(issues, 'steps[0].expression', /runs after this step \(steps\[1\]\)/);
    find(issues, 'steps[1].rules[0].message', /output of this very step/);
  });

  it('does not mistake a field named steps inside an iteration for a step output', () => {
    const src = [
      'id: f',
      'steps:',
      '  - id: a',
      '    kind: map',
      `    expression: 'event.payload.lines.{ "n": steps.count }'`,
      '    when: { some: [ { var: "event.payload.jobs" }, { ">": [ { var: "steps.done" }, 0 ] } ] }',
    ].join('\n');
    assert.deepEqual(issuesOf(src), []);
  });

  it('checks that each notify recipient is a role or an address of the channel', () => {
    const src = [
      'id: f',
      'steps:',
      '  - { id: e, kind: notify, channel: email, template: t, to: [ "role:sales", "ops@example.com", "ops" ] }',
      '  - { id: s, kind: notify, channel: sms, template: t, to: [ "+4915112345678", "0151 123", "role:" ] }',
      '  - { id: w, kind: notify, channel: webhook, template: t, to: [ "https://hooks.example.com/x", "ftp://x" ] }',
    ].join('\n');
    const issues = issuesOf(src);
    assert.deepEqual(
      issues.map((i) => i.path),
      ['steps[0].to[2]', 'steps[1].to[1]', 'steps[1].to[2]', 'steps[2].to[1]'],
    );
    assert.match(find(issues, 'steps[0].to[2]', /neither role:<name> nor an e-mail address/).fix, /ops@example\.com/);
    assert.match(find(issues, 'steps[1].to[1]', /phone number in international form/).fix, /\+4915112345678/);
  });
});
