/**
 * The demo's narrator: every couple of seconds, one log line per order run that finished, blocked or
 * started waiting since the last look ("order ABC → Sales Order 1012", "order XYZ blocked: …"), so a
 * person watching the logs follows orders into the ERP without reading step journals.
 */
import type { Logger } from '../core/log.ts';
import type { RunRecord, Store } from '../store/port.ts';

const WATCHED = ['succeeded', 'blocked', 'waiting', 'dead'] as const;

function describe(run: RunRecord): string {
  const steps = run.context.steps as Record<string, { reference?: string; DocNum?: number; approved?: boolean } | null | undefined>;
  const ref = steps.order?.reference ?? run.entityKey;
  const err = run.lastError as { message?: string } | null;
  switch (run.status) {
    case 'succeeded':
      return steps['create-order']?.DocNum !== undefined ? `order ${ref} → Sales Order ${steps['create-order'].DocNum}` : `order ${ref} done (rejected: cancelled in the shop)`;
    case 'waiting':
      return `order ${ref} waits for approval: POST /api/runs/${run.id}/approve (or /reject)`;
    default:
      return `order ${ref} ${run.status} (run ${run.id}): ${err?.message ?? ''}`;
  }
}

export function watchOrderRuns(store: Store, log: Logger, everyMs = 2000): { stop(): void } {
  const seen = new Map<number, string>();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      for (const status of WATCHED) {
        for (const run of await store.listRuns({ status, flowId: 'order-to-erp', limit: 100 })) {
          if (seen.get(run.id) === status) continue;
          seen.set(run.id, status);
          log.info({ runId: run.id, status }, describe(run));
        }
      }
    })()
      .catch((err: unknown) => log.warn({ err: { message: String(err) } }, 'demo watcher failed'))
      .finally(() => {
        busy = false;
      });
  }, everyMs);
  return { stop: () => clearInterval(timer) };
}
