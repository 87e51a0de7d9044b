/**
 * Reads the `notifications` section of the configuration: resolves `${ENV}` references, registers
 * every secret with the redactor (also ones written literally), and checks what would fail later
 * with a message that names the field.
 */
import { UserError } from '../core/errors.ts';
import { resolveEnvRefs, SecretRedactor } from './secrets.ts';
import { CHANNELS, type NotifyConfig } from './types.ts';

export interface ResolvedConfig {
  config: NotifyConfig;
  redactor: SecretRedactor;
}

export function resolveNotifyConfig(raw: NotifyConfig, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const redactor = new SecretRedactor();
  const config = resolveEnvRefs(raw, env, redactor);
  for (const [name, c] of Object.entries(config.email ?? {})) {
    if (!c.host) bad(`notifications.email.${name}.host`, 'is missing; give the SMTP server host name');
    if (!Number.isInteger(c.port) || c.port <= 0) bad(`notifications.email.${name}.port`, `is ${JSON.stringify(c.port)}; give the SMTP port (587, 465 or 25)`);
    if (!c.from) bad(`notifications.email.${name}.from`, "is missing; give the sender, e.g. 'Orders <orders@example.com>'");
    if (c.auth?.pass) redactor.add(c.auth.pass);
  }
  if (config.webhook) {
    if (!config.webhook.secret) bad('notifications.webhook.secret', 'is missing; set it to ${WEBHOOK_SIGNING_SECRET} and share the value with the receivers');
    redactor.add(config.webhook.secret);
  }
  if (config.sms) {
    if (!config.sms.accountSid || !config.sms.authToken) bad('notifications.sms', 'needs accountSid and authToken (use ${TWILIO_ACCOUNT_SID} and ${TWILIO_AUTH_TOKEN})');
    if (!config.sms.from && !config.sms.messagingServiceSid) bad('notifications.sms.from', 'is missing; give the sender number (E.164) or a messagingServiceSid');
    redactor.add(config.sms.authToken);
    // The Basic auth header: base64 of the pair does not contain base64 of the token alone.
    redactor.add(Buffer.from(`${config.sms.accountSid}:${config.sms.authToken}`).toString('base64'));
  }
  (config.rules ?? []).forEach((r, i) => {
    const at = `notifications.rules[${i}]`;
    if (!r.event) bad(`${at}.event`, "is missing; e.g. 'alert.run_blocked'");
    if (!CHANNELS.includes(r.channel)) bad(`${at}.channel`, `is ${JSON.stringify(r.channel)}; use email, webhook or sms`);
    if (!Array.isArray(r.to) || r.to.length === 0) bad(`${at}.to`, "is empty; list roles (role:sales) or addresses");
    for (const to of r.to) {
      const role = to.startsWith('role:') ? to.slice(5) : undefined;
      if (role !== undefined && role !== 'customer' && !config.roles?.[role]) bad(`${at}.to`, `names role '${role}', which is not under notifications.roles; add it or fix the name`);
    }
  });
  if (config.quietHours) {
    for (const k of ['start', 'end'] as const) {
      if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(config.quietHours[k])) bad(`notifications.quietHours.${k}`, `is ${JSON.stringify(config.quietHours[k])}; write HH:MM, e.g. "22:00"`);
    }
  }
  return { config, redactor };
}

function bad(path: string, what: string): never {
  throw new UserError('OF_NOTIFY_CONFIG', `${path} ${what}`, { path });
}
