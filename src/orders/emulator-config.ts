/**
 * The configuration that connects orderflow to the two emulators (the demo, the end-to-end tests and the
 * benchmark use it): connections `shop` (prestashop) and `erp` (sapb1), the shipped order flow.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OrderflowConfig } from '../config/schema.ts';

/** The repository's shipped flows. */
export const SHIPPED_FLOWS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../flows');
export const ORDER_TO_ERP_FLOW = path.join(SHIPPED_FLOWS_DIR, 'order-to-erp.yaml');

/** The SAP emulator's demo credentials (docs/sapb1.md). */
export const SAP_DEMO_LOGIN = { companyDb: 'SBODEMO', username: 'manager', password: '1234' } as const;

/**
 * B2B shops take orders on account: an order awaiting a bank wire or a cheque is as confirmed as a paid
 * one (the credit check guards it), so those states count as confirmed besides the paid/logable ones.
 */
export const B2B_CONFIRMED_STATES = ['flag:paid', 'flag:logable', 'template:bankwire', 'template:cheque'];

export interface EmulatorConfigOptions {
  shopUrl: string;
  shopKey: string;
  erpUrl: string;
  database?: string | undefined;
  /** Shop poll interval (ms); default 1000. */
  pollMs?: number | undefined;
  /** Flow files; default the shipped order flow. */
  flows?: string[] | undefined;
  workers?: number | undefined;
  concurrency?: number | undefined;
  leaseMs?: number | undefined;
  /** ERP requests in flight at once (the Service Layer's session limit); default 8. */
  erpConcurrency?: number | undefined;
  /** Shop webservice requests in flight at once; default the connector's (4). */
  shopConcurrency?: number | undefined;
  port?: number | undefined;
}

export function emulatorConfig(o: EmulatorConfigOptions): OrderflowConfig {
  const engine: NonNullable<OrderflowConfig['engine']> = {};
  if (o.workers !== undefined) engine.workers = o.workers;
  if (o.concurrency !== undefined) engine.concurrency = o.concurrency;
  if (o.leaseMs !== undefined) engine.leaseMs = o.leaseMs;
  engine.pollMs = 200;
  const config: OrderflowConfig = {
    flows: o.flows ?? [ORDER_TO_ERP_FLOW],
    engine,
    connections: {
      shop: {
        connector: 'prestashop',
        settings: { baseUrl: o.shopUrl, apiKey: o.shopKey, psVersion: '8', confirmedStates: B2B_CONFIRMED_STATES, ...(o.shopConcurrency ? { concurrency: o.shopConcurrency } : {}) },
        pollers: { orders: { intervalMs: o.pollMs ?? 1000, options: { since: 'all' } } },
      },
      erp: {
        connector: 'sapb1',
        settings: { baseUrl: o.erpUrl, ...SAP_DEMO_LOGIN, concurrency: o.erpConcurrency ?? 8 },
      },
    },
  };
  if (o.database) config.database = o.database;
  if (o.port !== undefined) config.server = { host: '127.0.0.1', port: o.port };
  return config;
}
