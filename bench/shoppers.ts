/**
 * The load of bench:orders, in a process of its own: it places the checkouts in the shop emulator and
 * watches the ERP emulator's Sales Order count, so that the engine's process runs nothing but the engine
 * (in production the checkouts do not come from the engine either). Driven over IPC by bench/orders.ts:
 *   { kind: 'burst', inputs }            → { kind: 'placed', ids }        all posted, 20 at a time
 *   { kind: 'paced', inputs, rate }      → { kind: 'placed', ids, at }    one every 1/rate s; `at` = when each was posted
 *   { kind: 'wait', erpUrl, count }      → { kind: 'reached', at }        the ERP holds `count` Sales Orders
 */
import type { CheckoutInput } from '../src/emulators/prestashop/checkout.ts';
import { postCheckout } from '../src/orders/generator.ts';

type Message = { kind: 'burst'; shopUrl: string; inputs: CheckoutInput[] } | { kind: 'paced'; shopUrl: string; inputs: CheckoutInput[]; rate: number } | { kind: 'wait'; erpUrl: string; count: number };

async function salesOrders(erpUrl: string): Promise<number> {
  const stats = (await (await fetch(`${erpUrl.replace(/\/b1s\/v1$/, '')}/_emulator/stats`)).json()) as { counts: Record<string, number> };
  return stats.counts.Orders ?? 0;
}

async function handle(m: Message): Promise<unknown> {
  switch (m.kind) {
    case 'burst': {
      const ids: number[] = [];
      for (let i = 0; i < m.inputs.length; i += 20) ids.push(...(await Promise.all(m.inputs.slice(i, i + 20).map((x) => postCheckout(m.shopUrl, x)))).map((o) => o.id_order));
      return { kind: 'placed', ids };
    }
    case 'paced': {
      const start = Date.now();
      const posts: Array<Promise<{ id: number; at: number }>> = [];
      for (let i = 0; i < m.inputs.length; i++) {
        const due = start + (i * 1000) / m.rate;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        const at = Date.now();
        posts.push(postCheckout(m.shopUrl, m.inputs[i]!).then((o) => ({ id: o.id_order, at })));
      }
      const placed = await Promise.all(posts);
      return { kind: 'placed', ids: placed.map((p) => p.id), at: placed.map((p) => p.at) };
    }
    case 'wait': {
      const until = Date.now() + 10 * 60_000;
      while ((await salesOrders(m.erpUrl)) < m.count) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${m.count} Sales Orders`);
        // Every 50 ms: the answers cost the ERP emulator CPU that is charged to the orders (at 20 ms, a third of its figure).
        await new Promise((r) => setTimeout(r, 50));
      }
      return { kind: 'reached', at: Date.now() };
    }
  }
}

process.on('message', (m: Message) => {
  handle(m).then(
    (reply) => process.send?.(reply),
    (err: unknown) => process.send?.({ kind: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
