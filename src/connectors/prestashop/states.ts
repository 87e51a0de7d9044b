/**
 * Order states, resolved the way the spec demands: by name (any language), template or flag, never by a
 * hard-coded id (ids differ between shops installed fresh, upgraded from 1.6, or extended by modules).
 *
 * A state selector is one of:
 *   `flag:paid` | `flag:logable` | `flag:shipped` | `flag:invoice` | `flag:delivery`
 *   `template:<email template>` (stable across languages, e.g. `template:order_canceled`)
 *   a state name in any installed language (case-insensitive)
 */
import { UserError } from '../../core/errors.ts';
import type { PrestaShopSettings, PsRecord } from './types.ts';

export interface OrderStateInfo {
  id: number;
  /** The name in the first language returned. */
  name: string;
  names: string[];
  templates: string[];
  paid: boolean;
  logable: boolean;
  shipped: boolean;
  invoice: boolean;
  delivery: boolean;
  deleted: boolean;
}

export const DEFAULT_CONFIRMED = ['flag:paid', 'flag:logable'];
export const DEFAULT_CANCELLED = ['template:order_canceled', 'Canceled', 'Cancelled'];
export const DEFAULT_REFUNDED = ['template:refund', 'Refunded'];

/** A multilingual value as JSON prints it: a plain string (one language) or `[{id, value}]`. */
export function langValues(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map((x) => String((x as { value?: unknown }).value ?? '')).filter(Boolean);
  return [];
}

export function toStateInfo(r: PsRecord): OrderStateInfo {
  const names = langValues(r.name);
  const flag = (k: string) => r[k] === '1';
  return {
    id: r.id, name: names[0] ?? `state ${r.id}`, names, templates: langValues(r.template),
    paid: flag('paid'), logable: flag('logable'), shipped: flag('shipped'), invoice: flag('invoice'), delivery: flag('delivery'), deleted: flag('deleted'),
  };
}

function matches(state: OrderStateInfo, selector: string): boolean {
  const s = selector.trim();
  if (s.startsWith('flag:')) {
    const f = s.slice(5) as 'paid' | 'logable' | 'shipped' | 'invoice' | 'delivery';
    return state[f] === true;
  }
  if (s.startsWith('template:')) return state.templates.includes(s.slice(9));
  return state.names.some((n) => n.toLowerCase() === s.toLowerCase());
}

export class StateCatalog {
  readonly byId: Map<number, OrderStateInfo>;
  private readonly confirmed: string[];
  private readonly cancelled: string[];
  private readonly refunded: string[];

  constructor(states: OrderStateInfo[], settings: Pick<PrestaShopSettings, 'confirmedStates' | 'cancelledStates' | 'refundedStates'>) {
    this.byId = new Map(states.map((s) => [s.id, s]));
    this.confirmed = settings.confirmedStates?.length ? settings.confirmedStates : DEFAULT_CONFIRMED;
    this.cancelled = settings.cancelledStates?.length ? settings.cancelledStates : DEFAULT_CANCELLED;
    this.refunded = settings.refundedStates?.length ? settings.refundedStates : DEFAULT_REFUNDED;
  }

  private is(id: number, selectors: string[]): boolean {
    const s = this.byId.get(id);
    return !!s && selectors.some((sel) => matches(s, sel));
  }

  isConfirmed(id: number): boolean {
    return this.is(id, this.confirmed);
  }

  isCancelled(id: number): boolean {
    return this.is(id, this.cancelled);
  }

  isRefunded(id: number): boolean {
    return this.is(id, this.refunded);
  }

  nameOf(id: number): string {
    return this.byId.get(id)?.name ?? `state ${id}`;
  }

  /** A state given as an id (number or digits) or by a selector (name, template). */
  resolve(state: string | number, connection: string): OrderStateInfo {
    const asId = typeof state === 'number' ? state : /^\d+$/.test(state) ? Number(state) : undefined;
    if (asId !== undefined) {
      const s = this.byId.get(asId);
      if (s) return s;
    } else {
      const found = [...this.byId.values()].filter((s) => !s.deleted && matches(s, String(state)));
      if (found.length === 1 && found[0]) return found[0];
      if (found.length > 1) throw new UserError('OF_PS_STATE_AMBIGUOUS', `order state '${state}' matches ${found.length} states on PrestaShop connection '${connection}' (ids ${found.map((s) => s.id).join(', ')}); give the exact name`);
    }
    const known = [...this.byId.values()].map((s) => s.name).join("', '");
    throw new UserError('OF_PS_UNKNOWN_STATE', `order state '${state}' does not exist on PrestaShop connection '${connection}'; use one of '${known}'`, { state });
  }
}
