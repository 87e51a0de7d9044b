/**
 * A real SMTP server in-process (smtp-server) on 127.0.0.1 with an ephemeral port. It requires AUTH
 * PLAIN/LOGIN (no TLS) with the given user and password, records every message, and fails on demand:
 * `reject` answers the message with a 5xx, `hang` never answers the DATA (the client times out).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { parseMail, type ParsedMail } from './mime.ts';

export interface ReceivedMail extends ParsedMail {
  raw: string;
  envelopeFrom: string;
  envelopeTo: string[];
}

export interface LocalSmtp {
  port: number;
  mails: ReceivedMail[];
  mode: 'ok' | 'reject' | 'hang';
  close(): Promise<void>;
}

export async function startSmtp(auth = { user: 'mailer', pass: 'smtp-pass-s3cret' }, port = 0): Promise<LocalSmtp> {
  const state: LocalSmtp = { port: 0, mails: [], mode: 'ok', close: async () => undefined };
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // No reverse DNS of 127.0.0.1 per connection (it costs ~100 ms here).
    disableReverseLookup: true,
    onAuth(a, _session, cb) {
      if (a.username === auth.user && a.password === auth.pass) cb(null, { user: a.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (state.mode === 'hang') return; // never answer: the client's socket timeout fires
        if (state.mode === 'reject') {
          const err = Object.assign(new Error('Transaction failed: mailbox store unavailable'), { responseCode: 554 });
          cb(err);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const env = session.envelope;
        state.mails.push({ ...parseMail(raw), raw, envelopeFrom: env.mailFrom ? env.mailFrom.address : '', envelopeTo: env.rcptTo.map((r) => r.address) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  state.port = (server.server.address() as AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
