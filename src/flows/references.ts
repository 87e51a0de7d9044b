/**
 * Finds which step outputs an expression or rule reads (`steps.<id>…`), so validation can catch a
 * misspelt step id or a read of a step that has not run yet — both would otherwise silently give
 * "nothing" at run time.
 *
 * Conservative on purpose: only references evaluated against the run context itself are collected.
 * Inside an iteration (`lines.{ … }`, a filter `[…]`, a lambda, a JSON Logic `some`/`map`…), `steps`
 * may be a field of the current item, so nothing there is reported. A valid flow is never rejected.
 */
import { compileMapping, templateExpressions } from './mapping.ts';

/** The parts of jsonata's AST we read (its published typings omit several node types, e.g. path and bind). */
interface AstNode {
  type: string;
  value?: unknown;
  steps?: AstNode[];
  stages?: unknown;
  lhs?: unknown;
  rhs?: unknown;
  expressions?: unknown;
  arguments?: unknown;
  condition?: unknown;
  then?: unknown;
  else?: unknown;
}

/** Step ids read by a JSONata expression from the root context (`steps.x`, `$$.steps.x`). Empty when it does not compile. */
export function stepReferencesInJsonata(expr: string): string[] {
  let ast: unknown;
  try {
    ast = compileMapping(expr).ast();
  } catch {
    return [];
  }
  const out = new Set<string>();
  walk(ast, true, out);
  return [...out];
}

/** Step ids read by the `{{ }}` parts of a template. */
export function stepReferencesInTemplate(tpl: string): string[] {
  return [...new Set(templateExpressions(tpl).flatMap((p) => (p.expr === '' ? [] : stepReferencesInJsonata(p.expr))))];
}

function walk(node: unknown, rooted: boolean, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, rooted, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as AstNode;
  switch (n.type) {
    case 'path': {
      const steps = n.steps ?? [];
      const [a, b, c] = steps;
      if (rooted && isName(a, 'steps') && b?.type === 'name') out.add(String(b.value));
      if (a?.type === 'variable' && a.value === '$' && isName(b, 'steps') && c?.type === 'name') out.add(String(c.value));
      steps.forEach((s, i) => walk(s, rooted && i === 0 && !s.stages, out));
      return;
    }
    case 'name':
    case 'string':
    case 'number':
    case 'value':
    case 'variable':
    case 'regexp':
      walk(n.stages, false, out);
      return;
    case 'unary':
      walk(n.lhs ?? n.expressions, rooted, out); // object constructor pairs / array items
      walk((n as { expression?: unknown }).expression, rooted, out); // unary minus
      return;
    case 'block':
      walk(n.expressions, rooted, out);
      return;
    case 'bind':
    case 'binary':
    case 'apply':
      walk(n.lhs, rooted, out);
      walk(n.rhs, rooted, out);
      return;
    case 'condition':
      walk(n.condition, rooted, out);
      walk(n.then, rooted, out);
      walk(n.else, rooted, out);
      return;
    case 'function':
    case 'partial':
      walk(n.arguments, rooted, out);
      return;
    default:
      // lambdas, sorts, transforms, anything new: the context is not the root; look for `$$.steps` only.
      for (const v of Object.values(n)) if (v && typeof v === 'object') walk(v, false, out);
  }
}

function isName(n: AstNode | undefined, value: string): boolean {
  return n?.type === 'name' && n.value === value;
}

/** JSON Logic operators whose later operands run against each item instead of the run context. */
const ITERATORS = new Set(['map', 'filter', 'reduce', 'all', 'some', 'none', 'every', 'eachKey']);

/** Step ids read by a JSON Logic rule through `var` (`{ var: "steps.credit.available" }`). */
export function stepReferencesInLogic(logic: unknown): string[] {
  const out = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const keys = Object.keys(node);
    if (keys.length !== 1) return;
    const op = keys[0] as string;
    const args: unknown = (node as Record<string, unknown>)[op];
    if (op === 'preserve') return;
    if (op === 'var') {
      const path = Array.isArray(args) ? args[0] : args;
      if (typeof path === 'string') {
        const [head, id] = path.split('.');
        if (head === 'steps' && id) out.add(id);
      } else visit(path);
      return;
    }
    if (ITERATORS.has(op) && Array.isArray(args)) {
      visit(args[0]);
      return;
    }
    visit(args);
  };
  visit(logic);
  return [...out];
}
