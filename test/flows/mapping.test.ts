import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import jsonata from 'jsonata';
import { UserError } from '../../src/core/errors.ts';
import { evaluateMapping, renderTemplate, toPlainJson } from '../../src/flows/mapping.ts';

const isUserError = (code: string) => (e: unknown) => e instanceof UserError && e.code === code;

void describe('evaluateMapping', () => {
  void it('evaluates JSONata over the run context and answers plain JSON', async () => {
    const out = await evaluateMapping('{ "email": event.payload.customer.email, "skus": event.payload.lines.sku }', {
      event: { payload: { customer: { email: 'a@b.example' }, lines: [{ sku: 'A' }, { sku: 'B' }] } },
    });
    assert.deepEqual(out, { email: 'a@b.example', skus: ['A', 'B'] });
    assert.equal(await evaluateMapping('nothing.here', {}), undefined);
  });

  void it('computes money with the decimal helpers, taking and returning decimal strings', async () => {
    const data = { lines: [{ qty: 3, price: '19.99' }, { qty: 1, price: '0.10' }], shipping: '4.95' };
    assert.equal(await evaluateMapping('$decSum(lines.$decMul(price, qty))', data), '60.07');
    assert.equal(await evaluateMapping('$decAdd("0.1", "0.2")', data), '0.3');
    assert.equal(await evaluateMapping('$decSub(shipping, "5")', data), '-0.05');
    assert.equal(await evaluateMapping('$decRound($decDiv("100", "3"))', data), '33.33');
    assert.equal(await evaluateMapping('$decRound("2.345", 1)', data), '2.3');
    assert.equal(await evaluateMapping('$decRound("2.005")', data), '2.01');
    assert.equal(await evaluateMapping('$decCmp("5000.10", "5000")', data), 1);
    assert.equal(await evaluateMapping('$decSum([])', data), '0');
  });

  void it('shows why plain JSONata arithmetic is not used for money', async () => {
    assert.equal(await evaluateMapping('0.1 + 0.2', {}), 0.30000000000000004);
    assert.equal(await evaluateMapping('$decAdd(0.1, 0.2)', {}), '0.3');
  });

  void it('names the helper and the argument when a money field is missing', async () => {
    await assert.rejects(evaluateMapping('$decAdd(order.total, "1")', { order: {} }), (e: unknown) => isUserError('OF_MAP_EVAL')(e) && /\$decAdd: argument 1 .* missing/.test((e as Error).message));
    await assert.rejects(evaluateMapping('$decMul("12,50", 2)', {}), isUserError('OF_MONEY_INVALID'));
    await assert.rejects(evaluateMapping('$decDiv("1", "0")', {}), isUserError('OF_MONEY_DIVISION_BY_ZERO'));
  });

  void it('stops an endless recursion at the time limit', async () => {
    const started = Date.now();
    await assert.rejects(evaluateMapping('( $f := function($n) { $f($n + 1) }; $f(0) )', {}, { timeoutMs: 50 }), isUserError('OF_MAP_TIMEOUT'));
    assert.ok(Date.now() - started < 5_000);
  });

  void it('stops an expression that builds a huge sequence', async () => {
    await assert.rejects(evaluateMapping('[1..10000000]', {}), isUserError('OF_MAP_LIMIT'));
  });

  void it('reports a syntax error with its position and an evaluation error as user errors', async () => {
    await assert.rejects(evaluateMapping('{ "a": }', {}), (e: unknown) => isUserError('OF_MAP_SYNTAX')(e) && /at character \d+/.test((e as Error).message));
    await assert.rejects(evaluateMapping('$notAFunction()', {}), isUserError('OF_MAP_EVAL'));
  });

  void it('gives no access to the host through the function constructor', async () => {
    assert.equal(await evaluateMapping('$string.constructor', {}), undefined);
  });

  void it('reuses the compiled expression across evaluations with different data', async () => {
    const expr = '$decAdd(a, b)';
    const results = await Promise.all([1, 2, 3].map((n) => evaluateMapping(expr, { a: String(n), b: '0.5' })));
    assert.deepEqual(results, ['1.5', '2.5', '3.5']);
  });
});

void describe('toPlainJson', () => {
  void it('gives back what a JSON round trip gives, for every kind of value a mapping can build', async () => {
    const data = { o: { lines: [{ sku: 'A', q: 2 }, { sku: 'B', q: -0 }], none: null, text: 'x"\\n\u00e9' } };
    const exprs = [
      'o', 'o.lines', 'o.lines.sku', '[o.lines.sku]', 'o.lines[0]', '{ "s": o.lines.{ "k": sku, "n": q * 1.5 } }', '[1..4]', '{ "a": [1..3], "b": [[1, [2, [3]]]] }',
      '{ "missing": o.nothing, "n": null, "t": true }', '[o.nothing, 1]', '$merge([{ "a": 1 }, { "b": o.text }])', '-0', '"text"', '$string(1/3)', '{ "__proto__": 1, "b": 2 }',
    ];
    for (const expr of exprs) {
      const raw: unknown = await jsonata(expr).evaluate(data);
      const text = JSON.stringify(raw);
      assert.deepEqual(toPlainJson(raw), text === undefined ? undefined : JSON.parse(text), expr);
    }
    const raw: unknown[] = Object.assign([1, undefined, Infinity, { a: undefined, b: NaN, c: () => 1, d: new Date(0) }], { sequence: true });
    assert.deepEqual(toPlainJson(raw), JSON.parse(JSON.stringify(raw)));
    const proto = toPlainJson(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(proto), Object.prototype, 'a "__proto__" key stays a plain member');
    assert.deepEqual(Object.keys(proto), ['__proto__']);
  });

  void it('drops JSONata functions and lambdas, which JSON cannot write, like functions', async () => {
    assert.deepEqual(await evaluateMapping('{ "f": function($x) { $x }, "g": $sum, "a": 1 }', {}), { a: 1 });
    assert.deepEqual(await evaluateMapping('[1, function($x) { $x }]', {}), [1, null]);
    assert.equal(await evaluateMapping('function($x) { $x }', {}), undefined);
  });

  void it('refuses a result nested absurdly deep with a clear error', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1_100; i++) deep = [deep];
    assert.throws(() => toPlainJson(deep), isUserError('OF_MAP_LIMIT'));
  });
});

void describe('renderTemplate', () => {
  const data = { event: { payload: { total: '5000.10', reference: 'XKB', tags: ['b2b', 'rush'] } }, steps: { credit: { available: '12.5' } } };

  void it('replaces each {{ expression }} by its value', async () => {
    const text = await renderTemplate('credit available {{ $string(steps.credit.available) }} is below the order total {{ event.payload.total }}', data);
    assert.equal(text, 'credit available 12.5 is below the order total 5000.10');
  });

  void it('renders numbers as text, lists as JSON and missing values as nothing', async () => {
    assert.equal(await renderTemplate('{{ $count(event.payload.tags) }} {{ event.payload.tags }} [{{ event.payload.none }}]', data), '2 ["b2b","rush"] []');
  });

  void it('leaves text without expressions unchanged and can use the decimal helpers', async () => {
    assert.equal(await renderTemplate('plain text', data), 'plain text');
    assert.equal(await renderTemplate('due: {{ $decRound($decSub(event.payload.total, steps.credit.available)) }}', data), 'due: 4987.60');
  });

  void it('fails with a user error when an expression inside does not compile', async () => {
    await assert.rejects(renderTemplate('x {{ $foo( }}', data), isUserError('OF_MAP_SYNTAX'));
  });
});
