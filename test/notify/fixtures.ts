/** Shared pieces of the notification tests: a logger that keeps every line, configurations, order data. */
import type { Logger } from '../../src/core/log.ts';
import type { NotifyConfig } from '../../src/notify/types.ts';

export interface CapturingLogger extends Logger {
  lines: string[];
}

export function capturingLogger(bindings: Record<string, unknown> = {}, lines: string[] = []): CapturingLogger {
  const write = (level: string) => (obj: object | string, msg?: string) => {
    lines.push(JSON.stringify({ level, ...bindings, ...(typeof obj === 'string' ? { msg: obj } : obj), ...(msg ? { msg } : {}) }));
  };
  return { lines, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: (b) => capturingLogger({ ...bindings, ...b }, lines) };
}

export const SECRETS = {
  SMTP_PASSWORD: 'smtp-pass-s3cret',
  WEBHOOK_SECRET: 'whsec-0123456789abcdef',
  TWILIO_TOKEN: 'twilio-token-9f8e7d6c',
  TWILIO_SID: 'AC0123456789abcdef0123456789abcdef',
};

export const ENV: NodeJS.ProcessEnv = { ...SECRETS };

export function config(opts: { smtpPort?: number; smsUrl?: string; timeoutMs?: number } = {}): NotifyConfig {
  return {
    email: opts.smtpPort
      ? {
          default: { host: '127.0.0.1', port: opts.smtpPort, auth: { user: 'mailer', pass: '${SMTP_PASSWORD}' }, from: 'Orders <orders@shop.example>', replyTo: 'sales@shop.example', timeoutMs: opts.timeoutMs ?? 5_000 },
        }
      : undefined,
    webhook: { secret: '${WEBHOOK_SECRET}', timeoutMs: opts.timeoutMs ?? 5_000 },
    sms: opts.smsUrl ? { baseUrl: opts.smsUrl, accountSid: '${TWILIO_SID}', authToken: '${TWILIO_TOKEN}', from: '+34910000000', defaultCountry: 'ES', timeoutMs: opts.timeoutMs ?? 5_000 } : undefined,
    roles: {
      sales: { email: ['sales@shop.example'], sms: ['+34 612 34 56 78'] },
      ops: { email: ['ops@shop.example'] },
      approvers: { email: ['boss@shop.example'] },
    },
  };
}

/** A tiny but real PDF (one empty page). */
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

export function orderData(language = 'en') {
  return {
    customer: { name: 'Ana García', email: 'ana@customer.example', phone: '612 345 678', language },
    order: {
      reference: 'XKBKNABJK',
      erpNumber: 10345,
      total: '1234.50',
      currency: 'EUR',
      lines: [
        { sku: 'BOLT-8', name: 'Bolt M8 <zinc>', quantity: 100, total: '34.50' },
        { sku: 'DRILL-X', name: 'Drill & case', quantity: 2, total: '1200.00' },
      ],
    },
    attachments: [{ filename: 'invoice-10345.pdf', content: PDF.toString('base64'), contentType: 'application/pdf' }],
  };
}
