/** Shared set-up for the SAP B1 tests: an emulator on an ephemeral port, a raw HTTP session, a client. */
import { silentLogger } from '../../src/core/log.ts';
import { createHttpClient, type KitServices } from '../../src/connectors/kit/index.ts';
import { SapB1Client } from '../../src/connectors/sapb1/index.ts';
import { startSapB1Emulator, type SapB1Emulator, type SapB1EmulatorOptions } from '../../src/emulators/sapb1/index.ts';

export type Version = 'v1' | 'v2';
export const VERSIONS: Version[] = ['v1', 'v2'];
export const LOGIN = { CompanyDB: 'SBODEMO', UserName: 'manager', Password: '1234' };

export async function emulator(opts: SapB1EmulatorOptions = {}): Promise<SapB1Emulator & { origin: string }> {
  const emu = await startSapB1Emulator({ port: 0, seed: 'demo', ...opts });
  return { ...emu, origin: emu.url.replace(/\/b1s\/v1$/, '') };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** Raw HTTP against one version of the emulator, with a logged-in session cookie. */
export class Raw {
  cookie = '';
  constructor(
    readonly origin: string,
    readonly version: Version,
  ) {}

  get base(): string {
    return `${this.origin}/b1s/${this.version}`;
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(`${this.base}/${path.replace(/^\//, '')}`, {
      method,
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  async login(): Promise<Answer> {
    const a = await this.call('POST', 'Login', LOGIN);
    const sid = a.headers.getSetCookie().find((c) => c.startsWith('B1SESSION='))!.split(';')[0]!;
    this.cookie = `${sid}; ROUTEID=.node1`;
    return a;
  }
}

export async function raw(origin: string, version: Version): Promise<Raw> {
  const r = new Raw(origin, version);
  await r.login();
  return r;
}

/** The SAP error code as a string, whichever shape the version uses. */
export function sapCode(a: Answer): string {
  return String(a.json?.error?.code);
}

export function sapMessage(a: Answer): string {
  const m = a.json?.error?.message;
  return typeof m === 'string' ? m : m?.value;
}

export const kit: KitServices = { log: silentLogger, http: (o) => createHttpClient(o) };

export function client(origin: string, version: Version, extra: Partial<{ concurrency: number; timeoutMs: number; password: string }> = {}): SapB1Client {
  return new SapB1Client({ baseUrl: `${origin}/b1s/${version}`, companyDb: 'SBODEMO', username: 'manager', password: extra.password ?? '1234', concurrency: extra.concurrency, timeoutMs: extra.timeoutMs }, kit, 'erp');
}

export async function stats(origin: string): Promise<{ logins: number; requests: number; counts: Record<string, number> }> {
  return (await fetch(`${origin}/_emulator/stats`)).json() as Promise<{ logins: number; requests: number; counts: Record<string, number> }>;
}

export const order = (ref: string, lines: Array<Record<string, unknown>> = [{ ItemCode: 'A00001', Quantity: 2 }], card = 'C0001') => ({
  CardCode: card,
  NumAtCard: ref,
  DocDueDate: '2026-12-01',
  DocumentLines: lines,
});
