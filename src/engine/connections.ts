/**
 * Connectors and connections: which connector serves each configured connection, and the one client
 * per connection (a session, a keep-alive pool, a concurrency limit) shared by every run.
 */
import { UserError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { createHttpClient } from '../connectors/kit/http.ts';
import type { ActionDefinition, ConnectionConfig, ConnectorDefinition, SharedReadStats, TriggerDefinition } from '../connectors/kit/types.ts';

// Connector definitions are generic over their client; the registry stores them type-erased.
type AnyConnector = ConnectorDefinition<unknown>;

export class ConnectionRegistry {
  private readonly connectors = new Map<string, AnyConnector>();
  private readonly connections = new Map<string, ConnectionConfig>();
  private readonly clients = new Map<string, unknown>();

  constructor(private readonly log: Logger) {}

  addConnector<C>(def: ConnectorDefinition<C>): void {
    this.connectors.set(def.name, def as unknown as AnyConnector);
  }

  addConnection(conn: ConnectionConfig): void {
    if (!this.connectors.has(conn.connector)) {
      throw new UserError('OF_CONNECTOR_UNKNOWN', `connection '${conn.name}' names connector '${conn.connector}', which does not exist; use one of: ${[...this.connectors.keys()].join(', ')}`, { connection: conn.name });
    }
    this.connections.set(conn.name, conn);
  }

  listConnections(): ConnectionConfig[] {
    return [...this.connections.values()];
  }

  connection(name: string): ConnectionConfig {
    const c = this.connections.get(name);
    if (!c) throw new UserError('OF_CONNECTION_UNKNOWN', `connection '${name}' is not configured; add it under connections in the configuration file`, { connection: name });
    return c;
  }

  connectorOf(name: string): AnyConnector {
    const conn = this.connection(name);
    const def = this.connectors.get(conn.connector);
    if (!def) throw new UserError('OF_CONNECTOR_UNKNOWN', `connector '${conn.connector}' does not exist`, { connection: name });
    return def;
  }

  client(name: string): unknown {
    if (this.clients.has(name)) return this.clients.get(name);
    const conn = this.connection(name);
    const def = this.connectorOf(name);
    const log = this.log.child({ connection: name });
    const client = def.createClient(conn, { log, http: (opts) => createHttpClient(opts) });
    this.clients.set(name, client);
    return client;
  }

  /** The shared reads of every client made so far, by connection (for the metrics). */
  sharedReads(): Array<SharedReadStats & { connection: string }> {
    const out: Array<SharedReadStats & { connection: string }> = [];
    for (const [name, client] of this.clients) {
      for (const s of this.connectorOf(name).sharedReads?.(client) ?? []) out.push({ connection: name, ...s });
    }
    return out;
  }

  action(connection: string, action: string): ActionDefinition<unknown> {
    const def = this.connectorOf(connection);
    const a = def.actions[action];
    if (!a) throw new UserError('OF_ACTION_UNKNOWN', `connector '${def.name}' (connection '${connection}') has no action '${action}'; available: ${Object.keys(def.actions).join(', ')}`, { connection, action });
    return a;
  }

  triggers(connection: string): Record<string, TriggerDefinition<unknown>> {
    return this.connectorOf(connection).triggers;
  }

  async close(): Promise<void> {
    for (const [name, client] of this.clients) {
      const def = this.connectorOf(name);
      if (def.close) await def.close(client);
    }
    this.clients.clear();
  }
}
