// A node:test reporter that writes one JSON line per finished test or suite, for scripts/test.mjs to
// count and to check (e.g. that no PostgreSQL test was skipped). Plain JS: it runs before tsx is loaded.
//
// It appends to the file named by ORDERFLOW_TEST_SUMMARY synchronously instead of yielding to a reporter
// destination: with --test-force-exit the runner exits before an asynchronous file stream is flushed, and
// the last lines would be lost.
//
// Each line: { name, path, file, ok, suite, skip, todo, cancelled }. `path` joins the names of the
// enclosing suites and tests, so a skipped test inside a "postgres" suite is recognisable as such.

import { appendFileSync } from 'node:fs';

export default async function* summaryReporter(source) {
  const out = process.env.ORDERFLOW_TEST_SUMMARY;
  if (!out) throw new Error('scripts/test-reporter.mjs needs ORDERFLOW_TEST_SUMMARY (a file path); run the tests through scripts/test.mjs');
  /** file → names of the tests currently open, by nesting level */
  const open = new Map();
  for await (const event of source) {
    const data = event.data ?? {};
    const file = data.file ?? '';
    if (event.type === 'test:start') {
      const stack = open.get(file) ?? [];
      stack.length = data.nesting;
      stack[data.nesting] = data.name;
      open.set(file, stack);
      continue;
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const stack = open.get(file) ?? [];
    const path = [...stack.slice(0, data.nesting), data.name].join(' > ');
    const details = data.details ?? {};
    const line = `${JSON.stringify({
      name: data.name,
      path,
      file,
      ok: event.type === 'test:pass',
      suite: details.type === 'suite',
      skip: data.skip !== undefined && data.skip !== false,
      todo: data.todo !== undefined && data.todo !== false,
      cancelled: details.error?.failureType === 'cancelledByParent',
    })}\n`;
    appendFileSync(out, line);
  }
  yield '';
}
