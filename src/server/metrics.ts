/**
 * Prometheus metrics of one server: default process metrics, runs by status (read from the store on
 * every scrape, so every process reports the cluster's numbers), webhook ingest counts and latency,
 * and HTTP request durations by route. Each instance has its own registry so several servers can share
 * a process (tests) without clashing.
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
