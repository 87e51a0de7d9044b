/**
 * One Service Layer session per connection. Logins are single-flight: however many calls find the session
 * expired at once, exactly one `POST /Login` runs and they all wait for it (SL logins are expensive, and a
 * stampede of them is what takes a real SL down). `Set-Cookie` is parsed by hand: SL's `B1SESSION=…;HttpOnly;`
 * has no Path and a trailing `;` that some cookie jars drop.
 */
import { TransientError, UserError } from '../../core/errors.ts';
import type { HttpClient } from '../kit/index.ts';
import { parseSapError } from './errors.ts';
import type { SapB1Settings } from './types.ts';

export interface Session {
  cookie: string;
  generation: number;
  timeoutMinutes: number;
}

/** `name=value` pairs of `Set-Cookie` lines (attributes dropped). */
export function parseSetCookies(lines: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const first = line.split(';')[0] ?? '';
    const eq = first.indexOf('=');
    if (eq <= 0) continue;
    out.set(first.slice(0, eq).trim(), first.slice(eq + 1).trim());
  }
  return out;
}

export class SessionManager {
  private current: Session | undefined;
  private inFlight: Promise<Session> | undefined;
  private generation = 0;
  /** Logins performed, for tests and metrics. */
  logins = 0;

  constructor(
    private readonly http: HttpClient,
    private readonly settings: SapB1Settings,
    private readonly connection: string,
  ) {}

  /** The live session, logging in first when there is none. */
  get(): Promise<Session> {
    if (this.current) return Promise.resolve(this.current);
    return this.login();
  }

  /**
   * Called after a 401 on a request sent with session `usedGeneration`. When another call already
   * replaced that session, its successor is returned without a new login.
   */
  renew(usedGeneration: number): Promise<Session> {
    if (this.current && this.current.generation !== usedGeneration) return Promise.resolve(this.current);
    if (this.inFlight) return this.inFlight;
    this.current = undefined;
    return this.login();
  }

  /** Forgets the session (after Logout). */
  drop(): Session | undefined {
    const s = this.current;
    this.current = undefined;
    return s;
  }

  private login(): Promise<Session> {
    if (this.inFlight) return this.inFlight;
    const p = this.doLogin().finally(() => {
      this.inFlight = undefined;
    });
    this.inFlight = p;
    return p;
  }

  private async doLogin(): Promise<Session> {
    this.logins++;
    const res = await this.http.request({
      method: 'POST',
      path: 'Login',
      body: { CompanyDB: this.settings.companyDb, UserName: this.settings.username, Password: this.settings.password },
      // A login changes nothing in the company: safe to retry whatever happens on the wire.
      write: false,
      throwOnError: false,
    });
    if (res.status === 401 || res.status === 400 || res.status === 403) {
      const { code, message } = parseSapError(res.text());
      throw new UserError(
        'OF_SAP_LOGIN_FAILED',
        `SAP refused the login of user '${this.settings.username}' to company '${this.settings.companyDb}' on connection '${this.connection}' (${code ?? res.status}: ${message ?? 'no message'}); check companyDb, username and password`,
        { status: res.status, sapCode: code, sapMessage: message },
      );
    }
    if (res.status < 200 || res.status >= 300) {
      throw new TransientError('OF_SAP_LOGIN_UNAVAILABLE', `SAP answered ${res.status} to the login on connection '${this.connection}'`, { details: { status: res.status } });
    }
    const cookies = parseSetCookies(res.setCookie);
    const body = res.json<{ SessionId?: string; SessionTimeout?: number }>();
    const sessionId = cookies.get('B1SESSION') ?? body.SessionId;
    if (!sessionId) throw new TransientError('OF_SAP_LOGIN_NO_SESSION', `SAP's login answer on connection '${this.connection}' carried no B1SESSION cookie nor SessionId`);
    const route = cookies.get('ROUTEID');
    const session: Session = {
      cookie: route ? `B1SESSION=${sessionId}; ROUTEID=${route}` : `B1SESSION=${sessionId}`,
      generation: ++this.generation,
      timeoutMinutes: body.SessionTimeout ?? 30,
    };
    this.current = session;
    return session;
  }
}
