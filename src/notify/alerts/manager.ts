/**
 * The alert manager: turns engine events and periodic checks into alerts, at most one open per cause,
 * and sends them through the notifier's rules: once when opened, a reminder after `reminderAfter` (up to
 * `maxReminders`), and an `alert.resolved` message when the cause clears.
 *
 * Durability: engine events are read from the `events` table after a cursor (`notify:alerts:events`), so
 * an alert raised while the manager was down is sent when it comes back; an alert whose message could not
 * be sent stays "not notified" and is tried again next round (notification rows make the retry send only
 * what is missing). One process in the cluster runs the rounds (a lease).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { OrderflowError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { parseDuration } from '../../flows/duration.ts';
import type { Store } from '../../store/port.ts';
import type { Tables } from '../../store/schema.ts';
import type { OrderflowNotifier } from '../notifier.ts';
import { notifyDb, type NotifyDb } from '../records.ts';
import type { AlertChecksConfig } from '../types.ts';
import { markNotified, markResolved, openAlerts, raiseCause, type AlertRow, type Cause } from './alert-store.ts';
import { causeOfEvent, runCauseHolds } from './causes.ts';
import { approvalsPending, lateRuns, stalePollers, type CheckResult, type PollerHealth } from './checks.ts';
import { ConnectionHealth } from './connection-health.ts';

export const EVENTS_CURSOR = 'notify:alerts:events';
const LEASE = 'notify:alerts';
const ENGINE_SOURCE = 'orderflow';

export interface AlertManagerDeps {
  db: Kysely<Tables>;
  store: Pick<Store, 'getCursor' | 'setCursor' | 'tryLease' | 'releaseLease'>;
  notifier: OrderflowNotifier;
  log: Logger;
  now?: (() => number) | undefined;
  /** The pollers of this process, with their intervals (PollerManager.status() plus intervalMs). */
  pollers?: (() => PollerHealth[]) | undefined;
  /**
   * Events younger than this (real time) are left for the next round: on PostgreSQL an id can become
   * visible after a higher one, and the cursor must not jump over it. Default 2000 ms.
   */
  settleMs?: number | undefined;
}

export interface RoundReport {
  events: number;
  opened: number;
  notified: number;
  reminded: number;
  resolved: number;
  deferredSent: number;
  errors: string[];
}

export class AlertManager {
  private readonly db: NotifyDb;
  private readonly now: () => number;
  private readonly holder = `alerts-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly health: ConnectionHealth;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private woken = false;

  constructor(
    private readonly config: AlertChecksConfig,
    private readonly deps: AlertManagerDeps,
  ) {
    this.db = notifyDb(deps.db);
    this.now = deps.now ?? (() => Date.now());
    this.health = new ConnectionHealth(deps.db, deps.store);
  }

  start(): void {
    this.stopped = false;
    this.timer = setTimeout(() => this.tick(), 0);
  }

  /** One round, then the next one scheduled. Rounds never overlap. */
  private tick(): void {
    if (this.stopped) return;
    const previous = this.running ?? Promise.resolve();
    this.running = previous
      .then(() => this.round())
      .catch((err: unknown) => this.deps.log.error({ err: { message: err instanceof Error ? err.message : String(err) } }, 'alert round failed'))
      .finally(() => {
        if (!this.stopped && !this.woken) {
          clearTimeout(this.timer);
          this.timer = setTimeout(() => this.tick(), this.config.intervalMs ?? 15_000);
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.deps.store.releaseLease(LEASE, this.holder).catch(() => undefined);
  }

  /** One round: only while this process holds the lease. Returns what it did (tests, metrics). */
  async round(): Promise<RoundReport> {
    const report: RoundReport = { events: 0, opened: 0, notified: 0, reminded: 0, resolved: 0, deferredSent: 0, errors: [] };
    const ttl = 3 * (this.config.intervalMs ?? 15_000);
    if (!(await this.deps.store.tryLease(LEASE, this.holder, Math.max(ttl, 30_000)))) return report;
    await this.consumeEvents(report);
    for (const result of await this.periodicChecks()) await this.applyCheck(result, report);
    await this.notifyOpen(report);
    await this.resolveCleared(report);
    report.deferredSent = await this.deps.notifier.flushDeferred();
    return report;
  }

  /** Raises a cause found by the caller (an in-process check); it is notified in the next round. */
  async raise(cause: Cause): Promise<AlertRow> {
    return (await raiseCause(this.db, cause, this.now())).alert;
  }

  private async consumeEvents(report: RoundReport): Promise<void> {
    let cursor = Number((await this.deps.store.getCursor(EVENTS_CURSOR)) ?? 0);
    const settled = Date.now() - (this.deps.settleMs ?? 2_000);
    // Sightings of one cause within a batch are counted in one write (a storm is one row update).
    const pending = new Map<string, { cause: Cause; times: number }>();
    const flush = async () => {
      for (const { cause, times } of pending.values()) if ((await raiseCause(this.db, cause, this.now(), times)).opened) report.opened++;
      pending.clear();
    };
    for (;;) {
      const rows = await this.deps.db
        .selectFrom('events')
        .select(['id', 'type', 'payload'])
        .where('id', '>', cursor)
        .where('source', '=', ENGINE_SOURCE)
        .where((eb) => eb.or([eb('type', 'like', 'alert.%'), eb('type', 'like', 'approval.%')]))
        .where('received_at', '<=', settled)
        .orderBy('id')
        .limit(500)
        .execute();
      for (const ev of rows) {
        const payload = JSON.parse(ev.payload) as Record<string, unknown>;
        const cause = causeOfEvent(ev.type, payload);
        if (cause) {
          const p = pending.get(cause.key);
          pending.set(cause.key, { cause, times: (p?.times ?? 0) + 1 });
        } else {
          await flush();
          try {
            // approval.requested / reminder / expired: one message per event, through the rules.
            await this.deps.notifier.dispatch(ev.type, payload, `event:${ev.id}`, { runId: typeof payload.runId === 'number' ? payload.runId : undefined });
          } catch (err) {
            this.failed(report, err, { eventId: ev.id, type: ev.type });
            if (retryable(err)) {
              // Stop here: the event is read again next round (its notification rows make that safe).
              await this.deps.store.setCursor(EVENTS_CURSOR, String(cursor));
              return;
            }
            // A configuration problem would fail forever: logged, and the cursor moves on.
          }
        }
        cursor = Number(ev.id);
        report.events++;
      }
      await flush();
      await this.deps.store.setCursor(EVENTS_CURSOR, String(cursor));
      if (rows.length < 500) return;
    }
  }

  private async periodicChecks(): Promise<CheckResult[]> {
    const c = this.config;
    const now = this.now();
    const out: CheckResult[] = [];
    if (c.approvalPendingAfter !== undefined) out.push(await approvalsPending(this.deps.db, now, parseDuration(c.approvalPendingAfter)));
    for (const late of c.lateRuns ?? []) {
      const r = await lateRuns(this.deps.db, now, late.flow, parseDuration(late.after));
      // One result per flow: resolving must only look at this flow's cause.
      out.push({ kind: `${r.kind}:${late.flow}`, causes: r.causes });
    }
    if (this.deps.pollers) out.push(stalePollers(this.deps.pollers(), now, c.pollerStaleFactor ?? 5));
    out.push(await this.health.check(c.connectionFailures ?? 5));
    return out;
  }

  /** Raises the causes present; resolves open alerts of the same check that are gone. */
  private async applyCheck(result: CheckResult, report: RoundReport): Promise<void> {
    const present = new Set(result.causes.map((c) => c.key));
    for (const cause of result.causes) if ((await raiseCause(this.db, cause, this.now())).opened) report.opened++;
    for (const a of await openAlerts(this.db)) {
      const ofThisCheck = a.causeKey === result.kind || a.causeKey.startsWith(`${result.kind}:`);
      if (!ofThisCheck || present.has(a.causeKey)) continue;
      await this.resolve(a, 'the condition no longer holds', report);
    }
  }

  private async notifyOpen(report: RoundReport): Promise<void> {
    const reminderAfter = parseDuration(this.config.reminderAfter ?? '1h');
    const maxReminders = this.config.maxReminders ?? 1;
    const now = this.now();
    for (const a of await openAlerts(this.db)) {
      const reminder = a.lastNotified !== null;
      if (reminder && (a.reminders >= maxReminders || now - a.lastNotified! < reminderAfter)) continue;
      const n = reminder ? a.reminders + 1 : 0;
      const key = `alert:${a.id}:e${a.episode}:${reminder ? `reminder:${n}` : 'open'}`;
      try {
        await this.deps.notifier.dispatch(a.kind, view(a, now), key, { alertId: a.id, reminder: n });
        await markNotified(this.db, a.id, now, reminder);
        if (reminder) report.reminded++;
        else report.notified++;
      } catch (err) {
        this.failed(report, err, { alertId: a.id });
        // A configuration problem is not retried every round: the next try is the reminder.
        if (!retryable(err)) await markNotified(this.db, a.id, now, reminder);
      }
    }
  }

  private async resolveCleared(report: RoundReport): Promise<void> {
    for (const a of await openAlerts(this.db)) {
      if ((await runCauseHolds(this.deps.db, a.kind, a.data)) === false) await this.resolve(a, 'no run shows the cause any more (retried, succeeded or cancelled)', report);
    }
  }

  private async resolve(a: AlertRow, resolution: string, report: RoundReport): Promise<void> {
    const now = this.now();
    try {
      const data = view(a, now, { resolvedAt: new Date(now).toISOString(), resolution, kind: a.kind });
      await this.deps.notifier.dispatch('alert.resolved', data, `alert:${a.id}:e${a.episode}:resolved`, { alertId: a.id });
      await markResolved(this.db, a.id, now);
      report.resolved++;
    } catch (err) {
      this.failed(report, err, { alertId: a.id, resolving: true });
      // Stays open when the message may still go out next round; closed anyway on a configuration problem.
      if (!retryable(err)) await markResolved(this.db, a.id, now);
    }
  }

  private failed(report: RoundReport, err: unknown, ctx: Record<string, unknown>): void {
    const text = describe(err);
    report.errors.push(text);
    this.deps.log.warn({ ...ctx, err: { message: text } }, 'alert notification failed');
  }

  /** Runs a round soon (debounced): wire it to `engine.onEngineEvent` for alerts within a second. */
  wake(): void {
    if (this.stopped || this.woken) return;
    this.woken = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.woken = false;
      this.tick();
    }, (this.deps.settleMs ?? 2_000) + 50);
  }
}

/** What templates see: the cause's data plus `alert` (title, detail, count, first/last seen). */
function view(a: AlertRow, now: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    ...a.data,
    alert: { id: a.id, kind: a.kind, cause: a.causeKey, title: a.data.title, detail: a.data.detail, count: a.count, firstSeen: iso(a.firstSeen), lastSeen: iso(a.lastSeen), now: iso(now), ...extra },
  };
}

function retryable(err: unknown): boolean {
  return !(err instanceof OrderflowError) || err.retryable;
}

function describe(err: unknown): string {
  return err instanceof OrderflowError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
}
