/** Settings and record shapes shared by the PrestaShop connector's modules. */

export interface PrestaShopSettings {
  baseUrl: string;
  apiKey: string;
  psVersion?: '8' | '1.7';
  timeoutMs?: number;
  concurrency?: number;
  /** States that mean "confirmed": state names (any language) or `flag:paid`, `flag:logable`, `flag:shipped`. */
  confirmedStates?: string[];
  cancelledStates?: string[];
  refundedStates?: string[];
  webhookSecret?: string;
  /** The shop's timezone (IANA), used to turn shop-local dates into instants (`occurredAt`). */
  timezone?: string;
  /** Reads made at the same moment share one call (shared-reads.ts). Default true; false reads one by one. */
  shareReads?: boolean;
}

export type PsRecord = Record<string, unknown> & { id: number };

