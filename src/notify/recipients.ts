/**
 * Who receives a notification on one channel: `role:<name>` expands to that role's addresses for the
 * channel (from the configuration), `role:customer` to the customer's e-mail or phone read from the data,
 * anything else is an address as written.
 */
import { UserError } from '../core/errors.ts';
import { evaluateMapping } from '../flows/mapping.ts';
import { normaliseLanguage } from './templates.ts';
import type { Channel, NotifyConfig } from './types.ts';

export const CUSTOMER_ROLE = 'customer';
const DEFAULT_CUSTOMER = {
  email: '[customer.email, event.payload.customer.email][0]',
  phone: '[customer.phone, customer.mobile, event.payload.customer.phone][0]',
  language: '[customer.language, customer.lang, event.payload.customer.language][0]',
};

export interface ResolvedRecipients {
  /** Addresses, each with the entry of `to` it came from. */
  addresses: Array<{ to: string; from: string }>;
  /** Entries that resolved to nobody, with the reason (the customer has no phone). */
  missing: Array<{ from: string; reason: string }>;
}

export async function resolveRecipients(to: string[], channel: Channel, config: NotifyConfig, data: unknown): Promise<ResolvedRecipients> {
  const out: ResolvedRecipients = { addresses: [], missing: [] };
  const seen = new Set<string>();
  const add = (addr: string, from: string) => {
    const a = addr.trim();
    if (a && !seen.has(a)) {
      seen.add(a);
      out.addresses.push({ to: a, from });
    }
  };
  for (const entry of to) {
    if (!entry.startsWith('role:')) {
      add(entry, entry);
      continue;
    }
    const role = entry.slice('role:'.length);
    if (role === CUSTOMER_ROLE) {
      if (channel === 'webhook') {
        out.missing.push({ from: entry, reason: 'customers are not reached by webhook' });
        continue;
      }
      const expr = channel === 'email' ? (config.customer?.email ?? DEFAULT_CUSTOMER.email) : (config.customer?.phone ?? DEFAULT_CUSTOMER.phone);
      const v = await evaluateMapping(expr, data);
      if (typeof v === 'string' && v.trim()) add(v, entry);
      else out.missing.push({ from: entry, reason: `the data has no customer ${channel === 'email' ? 'e-mail address' : 'phone number'} (${expr})` });
      continue;
    }
    const r = config.roles?.[role];
    if (!r) {
      const known = Object.keys(config.roles ?? {}).join(', ') || 'none';
      throw new UserError('OF_NOTIFY_ROLE_UNKNOWN', `recipient '${entry}': role '${role}' is not configured (known roles: ${known}); add it under notifications.roles`, { role });
    }
    const list = r[channel] ?? [];
    if (list.length === 0) {
      throw new UserError('OF_NOTIFY_ROLE_EMPTY', `role '${role}' has no ${channel} recipients; add some under notifications.roles.${role}.${channel}`, { role, channel });
    }
    for (const a of list) add(a, entry);
  }
  return out;
}

/** The customer's language from the data, normalised to two letters; undefined when absent. */
export async function customerLanguage(config: NotifyConfig, data: unknown): Promise<string | undefined> {
  return normaliseLanguage(await evaluateMapping(config.customer?.language ?? DEFAULT_CUSTOMER.language, data));
}
