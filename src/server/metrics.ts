/**
 * Prometheus metrics of one server: default process metrics, runs by status (read from the store on
 * every scrape, so every process reports the cluster's numbers), webhook ingest counts and latency,
 * HTTP request durations by route, and the connections' shared reads (this process's clients). Each
 * instance has its own registry so several servers can share a process (tests) without clashing.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../store/port.ts';
import { RUN_STATUSES } from './schemas.ts';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export type WebhookOutcome = 'stored' | 'duplicate' | 'rejected' | 'failed';

export class Metrics {
  readonly registry: Registry;
  readonly runs: Gauge<'status'>;
  readonly webhookEvents: Counter<'connection' | 'outcome'>;
  readonly webhookDuration: Histogram<'outcome'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly sharedReads: Counter<'connection' | 'kind'>;
  readonly sharedReadCalls: Counter<'connection' | 'kind'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    this.registry = new Registry();
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.runs = new Gauge({ name: 'orderflow_runs', help: 'Runs by status (whole store, read on scrape)', labelNames: ['status'], registers });
    this.webhookEvents = new Counter({
      name: 'orderflow_webhook_events_total',
      help: 'Webhook deliveries by outcome: stored (new events), duplicate (known dedupe key), rejected (4xx), failed (5xx)',
      labelNames: ['connection', 'outcome'],
      registers,
    });
    this.webhookDuration = new Histogram({ name: 'orderflow_webhook_ingest_seconds', help: 'Time from webhook request to answer', labelNames: ['outcome'], buckets: LATENCY_BUCKETS, registers });
    this.httpDuration = new Histogram({
      name: 'orderflow_http_request_duration_seconds',
      help: 'HTTP request durations by route pattern',
      labelNames: ['method', 'route', 'status_code'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.sharedReads = new Counter({
      name: 'orderflow_shared_reads_total',
      help: 'Reads that runs asked a connection for, by kind, where reads made at the same moment share one call (read on scrape)',
      labelNames: ['connection', 'kind'],
      registers,
    });
    this.sharedReadCalls = new Counter({
      name: 'orderflow_shared_read_calls_total',
      help: 'Calls sent for those reads: 1 − calls/reads is the share of calls that sharing saved',
      labelNames: ['connection', 'kind'],
      registers,
    });
  }

  /** Sets the shared-read counters to the connections' own totals (this process's clients). */
  refreshSharedReads(rows: Array<{ connection: string; kind: string; asked: number; sent: number }>): void {
    this.sharedReads.reset();
    this.sharedReadCalls.reset();
    for (const r of rows) {
      this.sharedReads.inc({ connection: r.connection, kind: r.kind }, r.asked);
      this.sharedReadCalls.inc({ connection: r.connection, kind: r.kind }, r.sent);
    }
  }

  /** Reads the run counts from the store; statuses with no run report 0 so the series never vanish. */
  async refreshRuns(store: Store): Promise<void> {
    const counts = await store.countRunsByStatus();
    for (const s of RUN_STATUSES) this.runs.set({ status: s }, counts[s] ?? 0);
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
