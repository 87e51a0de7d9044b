/**
 * The demo's shoppers: posts checkouts to the shop emulator's storefront endpoint (`POST
 * /_emulator/checkout`) at a steady rate, in the demo's mix of kinds.
 */
import type { Logger } from '../core/log.ts';
import type { CheckoutInput } from '../emulators/prestashop/index.ts';
import { makeCheckout, randomKind, type CheckoutKind } from './checkouts.ts';

export interface PlacedCheckout {
  kind: CheckoutKind;
  idOrder: number;
  reference: string;
  at: number;
}

/** One storefront checkout over HTTP. */
export async function postCheckout(shopUrl: string, input: CheckoutInput): Promise<{ id_order: number; reference: string }> {
  const res = await fetch(`${shopUrl}/_emulator/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const body = (await res.json()) as { id_order: number; reference: string; error?: string };
  if (res.status !== 201) throw new Error(`checkout answered ${res.status}: ${body.error ?? JSON.stringify(body)}`);
  return body;
}

export interface CheckoutGenerator {
  placed: PlacedCheckout[];
  stop(): Promise<void>;
}

export function startCheckoutGenerator(opts: { shopUrl: string; ordersPerMinute: number; log: Logger; rnd?: () => number }): CheckoutGenerator {
  const placed: PlacedCheckout[] = [];
  const everyMs = Math.max(10, Math.round(60_000 / Math.max(opts.ordersPerMinute, 0.001)));
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const kind = randomKind(opts.rnd);
    inFlight = postCheckout(opts.shopUrl, makeCheckout(kind, opts.rnd)).then(
      (out) => {
        placed.push({ kind, idOrder: out.id_order, reference: out.reference, at: Date.now() });
        opts.log.info({ checkout: { kind, order: out.id_order, reference: out.reference } }, `checkout ${out.reference} (${kind})`);
      },
      (err: unknown) => opts.log.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'checkout failed'),
    );
  };
  const timer = opts.ordersPerMinute > 0 ? setInterval(tick, everyMs) : undefined;
  if (opts.ordersPerMinute > 0) setTimeout(tick, 500).unref();
  return {
    placed,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await inFlight;
    },
  };
}
