/**
 * The SMS channel, speaking the Twilio Messages API: a form-encoded POST to
 * `{baseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json` with Basic auth `AccountSid:AuthToken` and the
 * fields To, From (or MessagingServiceSid) and Body. The base URL is configurable (other providers speak
 * the same API; tests use a local server).
 *
 * Numbers are validated and normalised to E.164 before anything is sent; a number that is not a phone
 * number is a UserError naming it (masked).
 */
import { parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js';
import { AmbiguousWriteError, OrderflowError, TransientError, UserError } from '../core/errors.ts';
import { createHttpClient, type HttpResponse } from '../connectors/kit/http.ts';
import { maskPhone, type SecretRedactor } from './secrets.ts';
import type { ChannelResult, ChannelSender, OutgoingMessage, SmsChannelConfig } from './types.ts';

/** `0034 612 34 56 78`, `612345678` (with country ES), `+34612345678` → `+34612345678`. */
export function normalisePhone(raw: string, defaultCountry?: string): string {
  const cleaned = raw.trim().replace(/^00/, '+');
  try {
    const p = parsePhoneNumberWithError(cleaned, defaultCountry as CountryCode | undefined);
    if (p.isValid()) return p.number;
  } catch {
    // reported below
  }
  throw new UserError('OF_NOTIFY_SMS_NUMBER', `'${maskPhone(cleaned.replace(/\s+/g, ''))}' is not a valid phone number${defaultCountry ? ` (default country ${defaultCountry})` : ''}; write it in international form, e.g. +34 612 345 678`, { defaultCountry });
}

interface TwilioAnswer {
  sid?: string;
  status?: string | number;
  code?: number;
  message?: string;
}

export function createSmsSender(cfg: SmsChannelConfig, redactor: SecretRedactor): ChannelSender {
  const client = createHttpClient({
    name: 'sms',
    baseUrl: cfg.baseUrl ?? 'https://api.twilio.com',
    timeoutMs: cfg.timeoutMs ?? 15_000,
    headers: { authorization: `Basic ${Buffer.from(`${cfg.accountSid}:${cfg.authToken}`).toString('base64')}` },
  });
  const path = `/2010-04-01/Accounts/${encodeURIComponent(cfg.accountSid)}/Messages.json`;

  return {
    async send(msg: OutgoingMessage): Promise<ChannelResult> {
      const to = normalisePhone(msg.to, cfg.defaultCountry);
      const form = new URLSearchParams({ To: to, Body: msg.text });
      if (cfg.messagingServiceSid) form.set('MessagingServiceSid', cfg.messagingServiceSid);
      else if (cfg.from) form.set('From', normalisePhone(cfg.from, cfg.defaultCountry));
      let res: HttpResponse;
      try {
        res = await client.request({ method: 'POST', path, body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, throwOnError: false });
      } catch (err) {
        throw transient(err, redactor);
      }
      const answer = parseAnswer(res);
      const shown = redactor.redact(res.text().slice(0, 500));
      if (res.status >= 200 && res.status < 300) return { providerId: answer.sid, answer: `${res.status} ${answer.status ?? ''}`.trim() };
      if (res.status === 429 || res.status >= 500 || res.status === 408) {
        throw new TransientError('OF_NOTIFY_SMS_FAILED', `SMS provider answered ${res.status}: ${shown}`, { details: { status: res.status } });
      }
      if (res.status === 401 || res.status === 403) {
        throw new UserError('OF_NOTIFY_SMS_AUTH', `SMS provider refused the credentials (${res.status}); check notifications.sms.accountSid and authToken`, { status: res.status });
      }
      throw new UserError('OF_NOTIFY_SMS_REJECTED', `SMS provider refused the message to ${maskPhone(to)} (${res.status}${answer.code ? `, code ${answer.code}` : ''}): ${redactor.redact(answer.message ?? shown)}`, { status: res.status, providerCode: answer.code });
    },
    close: () => client.close(),
  };
}

function parseAnswer(res: HttpResponse): TwilioAnswer {
  try {
    const v = res.json<unknown>();
    return v !== null && typeof v === 'object' ? (v as TwilioAnswer) : {};
  } catch {
    return {};
  }
}

/** A message that may have reached the provider is retried like a transient failure: SMS has no idempotency key. */
function transient(err: unknown, redactor: SecretRedactor): Error {
  const message = redactor.redact(err instanceof Error ? err.message : String(err));
  if (err instanceof TransientError || err instanceof AmbiguousWriteError || !(err instanceof OrderflowError)) {
    return new TransientError('OF_NOTIFY_SMS_FAILED', `SMS provider unreachable: ${message}`, { retryAfterMs: err instanceof TransientError ? err.retryAfterMs : undefined });
  }
  return err;
}
