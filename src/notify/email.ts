/**
 * The email channel: nodemailer over real SMTP, one transport per configured connection (each with its
 * own from and reply-to). Failures are mapped into the taxonomy:
 *
 * - authentication refused → UserError (fix the credentials);
 * - every recipient refused with a 5xx (unknown mailbox) → UserError (fix the address);
 * - anything else (refused connection, timeout, 4xx, a 5xx on the message) → TransientError: the engine
 *   retries the notify step with backoff and, once the attempts are exhausted, the run is dead and alerted.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { TransientError, UserError } from '../core/errors.ts';
import type { SecretRedactor } from './secrets.ts';
import type { Attachment, ChannelResult, ChannelSender, EmailConnectionConfig, OutgoingMessage } from './types.ts';

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  command?: string;
}

export function createEmailSender(connections: Record<string, EmailConnectionConfig>, redactor: SecretRedactor): ChannelSender {
  const transports = new Map<string, Transporter<SMTPTransport.SentMessageInfo>>();

  function transportFor(name: string): { t: Transporter<SMTPTransport.SentMessageInfo>; cfg: EmailConnectionConfig } {
    const cfg = connections[name];
    if (!cfg) {
      throw new UserError('OF_NOTIFY_EMAIL_NO_CONNECTION', `email connection '${name}' is not configured; add it under notifications.email.${name} (host, port, from)`, { connection: name });
    }
    let t = transports.get(name);
    if (!t) {
      const timeout = cfg.timeoutMs ?? 15_000;
      t = nodemailer.createTransport({
        // Pooled: a new SMTP session (connect, EHLO, AUTH) costs ~100 ms even on localhost; a pool reuses it.
        pool: true,
        maxConnections: 2,
        host: cfg.host,
        port: cfg.port,
        secure: cfg.secure ?? false,
        auth: cfg.auth ? { user: cfg.auth.user, pass: cfg.auth.pass } : undefined,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
        tls: cfg.allowSelfSigned ? { rejectUnauthorized: false } : undefined,
        logger: false,
        debug: false,
      });
      transports.set(name, t);
    }
    return { t, cfg };
  }

  return {
    async send(msg: OutgoingMessage): Promise<ChannelResult> {
      const name = msg.connection ?? 'default';
      const { t, cfg } = transportFor(name);
      try {
        const info = await t.sendMail({
          from: cfg.from,
          replyTo: cfg.replyTo,
          to: msg.to,
          subject: msg.subject,
          text: msg.text,
          html: msg.html,
          messageId: `<${msg.deliveryId}@orderflow>`,
          headers: { 'X-Orderflow-Delivery': msg.deliveryId },
          attachments: (msg.attachments ?? []).map(toNodemailerAttachment),
        });
        return { providerId: info.messageId, answer: redactor.redact(info.response ?? '') };
      } catch (err) {
        throw mapSmtpError(err as SmtpError, name, redactor);
      }
    },
    close(): void {
      for (const t of transports.values()) t.close();
      transports.clear();
    },
  };
}

function toNodemailerAttachment(a: Attachment): { filename: string; content: Buffer; contentType?: string } {
  const content = Buffer.isBuffer(a.content) ? a.content : Buffer.from(a.content, 'base64');
  return a.contentType ? { filename: a.filename, content, contentType: a.contentType } : { filename: a.filename, content };
}

function mapSmtpError(err: SmtpError, connection: string, redactor: SecretRedactor): Error {
  const message = redactor.redact(err.message ?? String(err));
  const details = { connection, smtpCode: err.code, responseCode: err.responseCode, command: err.command };
  if (err.code === 'EAUTH') {
    return new UserError('OF_NOTIFY_EMAIL_AUTH', `SMTP server of email connection '${connection}' refused the login: ${message}; check notifications.email.${connection}.auth`, details);
  }
  if (err.code === 'EENVELOPE' && err.responseCode !== undefined && err.responseCode >= 500) {
    return new UserError('OF_NOTIFY_EMAIL_REJECTED', `SMTP server of email connection '${connection}' refused the recipient: ${message}; check the address`, details);
  }
  return new TransientError('OF_NOTIFY_EMAIL_FAILED', `sending email through connection '${connection}' failed: ${message}`, { details });
}
