/**
 * The optional webhook module. Its body is the ps_webhooks shape `{action, entity, data}` (data = the
 * object's vars without passwd/secure_key), POSTed as JSON in event order, 3 s timeout, no retry, as that
 * module does. With a secret it also signs like the commercial modules: `X-Webhook-Signature:
 * sha256=<hex HMAC-SHA256 of the raw body>`. The real header name of those modules is not documented
 * (store-platforms.md §2 marks it [?]); this name is our choice and the connector's default.
 */
import { hmacSha256 } from '../../connectors/kit/hmac.ts';
import type { ShopEvent } from './state.ts';

export const SIGNATURE_HEADER = 'x-webhook-signature';

export function startWebhookModule(url: string, secret: string | undefined): { send(e: ShopEvent): void; close(): Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  return {
    send(e) {
      const body = JSON.stringify(e);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (secret) headers[SIGNATURE_HEADER] = `sha256=${hmacSha256(secret, body)}`;
      chain = chain.then(async () => {
        try {
          const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(3000) });
          await res.arrayBuffer();
        } catch {
          // Like the module: a failed delivery is lost; the poller is the safety net.
        }
      });
    },
    close: () => chain,
  };
}
