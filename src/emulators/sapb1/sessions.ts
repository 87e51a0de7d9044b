/**
 * Service Layer sessions: created by `POST /Login`, named by the `B1SESSION` cookie, expired after
 * `SessionTimeout` minutes without use. The spec marks idle-vs-absolute uncertain; clients treat the
 * timeout as sliding, and so do we (every authenticated request renews it).
 */
import { randomUUID } from 'node:crypto';
import { clock } from './values.ts';

const now = (): number => Date.now() + clock.offsetMs;

export interface Credentials {
  companyDb: string;
  userName: string;
  password: string;
}

/** The demo seed's company and user (spec: CompanyDB SBODEMO, manager / 1234). */
export const DEMO_CREDENTIALS: Credentials = { companyDb: 'SBODEMO', userName: 'manager', password: '1234' };

interface Session {
  user: string;
  lastSeen: number;
}

export class Sessions {
  private readonly map = new Map<string, Session>();
  logins = 0;

  constructor(public timeoutMinutes: number) {}

  create(user: string): string {
    this.logins++;
    const id = randomUUID();
    this.map.set(id, { user, lastSeen: now() });
    return id;
  }

  /** Whether the session is alive; renews it when it is. */
  use(id: string | undefined): boolean {
    if (!id) return false;
    const s = this.map.get(id);
    if (!s) return false;
    const t = now();
    if (t - s.lastSeen > this.timeoutMinutes * 60_000) {
      this.map.delete(id);
      return false;
    }
    s.lastSeen = t;
    return true;
  }

  end(id: string | undefined): void {
    if (id) this.map.delete(id);
  }

  expireAll(): void {
    this.map.clear();
  }

  get active(): number {
    return this.map.size;
  }

  reset(): void {
    this.map.clear();
    this.logins = 0;
  }
}

/** `B1SESSION` from a `Cookie` header. */
export function sessionFromCookie(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === 'B1SESSION') return part.slice(eq + 1).trim();
  }
  return undefined;
}
