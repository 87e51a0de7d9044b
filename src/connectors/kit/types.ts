/**
 * The connector contract. A connector is data plus functions: a client factory, triggers that bring
 * events in, and actions that act on the system. Connectors import only this kit and core types:
 * never the store, the server, or each other.
 */
import type { Logger } from '../../core/log.ts';
import type { HttpClient, HttpClientOptions } from './http.ts';

/** One configured system: credentials + base URL of e.g. the shop (`shop`) or the ERP (`erp`). */
export interface ConnectionConfig {
  /** The connection's name, used in flows and in `/hooks/:connection`. */
  name: string;
  /** The connector kind: `prestashop`, `sapb1`, `http`, … */
  connector: string;
  /** Connector-specific settings. Secrets are already resolved from the environment here. */
  settings: Record<string, unknown>;
}

/** What the engine hands to a connector when it builds a client for one connection. */
export interface KitServices {
  log: Logger;
  /** Builds an HTTP client with the kit's keep-alive, timeouts, concurrency, rate limit and error mapping. */
  http(options: HttpClientOptions): HttpClient;
}

export interface ConnectorContext<C> {
  connection: ConnectionConfig;
  client: C;
  log: Logger;
  signal?: AbortSignal | undefined;
}

export interface ActionContext<C> extends ConnectorContext<C> {
  runId: string;
  stepId: string;
  attempt: number;
  /** Stable for one run step across attempts and restarts: send it as an idempotency key where the target supports one. */
  idempotencyKey: string;
}

export interface ActionDefinition<C, I = any, O = unknown> {
  description: string;
  /** A write changes the target. A timeout or reset while writing is an ambiguous write. */
  write: boolean;
  run(ctx: ActionContext<C>, input: I): Promise<O>;
  /**
   * The probe run before retrying an ambiguous write: looks the effect up in the target and returns what
   * `run` would have returned, or `undefined` when the effect does not exist (then the write is retried).
   */
  reconcile?(ctx: ActionContext<C>, input: I): Promise<O | undefined>;
}

/** One business fact that happened in a system. */
export interface EmittedEvent {
  /** `order.confirmed`, `order.state_changed`, `item.stock_changed`, … */
  type: string;
  /** source + entity + version: a second delivery of the same fact carries the same key. */
  dedupeKey: string;
  /** The lane: runs for one entity key run one at a time, in event order (`shop:order:1234`). */
  entityKey: string;
  /**
   * Orders events of one entity. Compared as strings, so use a sortable form (ISO-like dates, zero-padded
   * numbers). An event whose version is older than one already applied to its entity is skipped.
   */
  version?: string | undefined;
  payload: unknown;
  occurredAt?: string | undefined;
}

export interface TriggerContext<C> extends ConnectorContext<C> {
  /** Trigger settings from the configuration (interval, states considered confirmed, …). */
  options: Record<string, unknown>;
}

export interface PollResult {
  events: EmittedEvent[];
  /** The new durable cursor, stored in the same transaction as the events. */
  cursor: string | null;
}

export interface PollingTrigger<C> {
  kind: 'polling';
  description: string;
  defaultIntervalMs: number;
  poll(ctx: TriggerContext<C>, cursor: string | null): Promise<PollResult>;
}

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  body: unknown;
}

export interface WebhookTrigger<C> {
  kind: 'webhook';
  description: string;
  /**
   * Verifies and parses one delivery. Throws `UserError('OF_WEBHOOK_BAD_SIGNATURE', …)` on a bad signature
   * (answered 401, nothing stored) and `UserError('OF_WEBHOOK_BAD_BODY', …)` on a body it cannot read (400).
   */
  receive(ctx: TriggerContext<C>, req: WebhookRequest): Promise<EmittedEvent[]> | EmittedEvent[];
}

export type TriggerDefinition<C> = PollingTrigger<C> | WebhookTrigger<C>;

/** One kind of shared read of a connection (kit/coalesce.ts): reads asked for by runs, calls sent for them. */
export interface SharedReadStats {
  kind: string;
  asked: number;
  sent: number;
}

export interface ConnectorDefinition<C> {
  name: string;
  description: string;
  createClient(connection: ConnectionConfig, kit: KitServices): C;
  close?(client: C): Promise<void>;
  /** The client's shared reads so far (for the metrics), when the connector shares reads. */
  sharedReads?(client: C): SharedReadStats[];
  actions: Record<string, ActionDefinition<C>>;
  triggers: Record<string, TriggerDefinition<C>>;
}

/** Declares a connector. The identity function, there for the types. */
export function defineConnector<C>(def: ConnectorDefinition<C>): ConnectorDefinition<C> {
  return def;
}
