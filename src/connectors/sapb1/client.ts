/**
 * The Service Layer client: one per connection, over the kit's HTTP client (keep-alive, timeouts, the
 * per-connection concurrency limit, network failures mapped into the taxonomy). On a 401 it renews the
 * session once (single-flight, see session.ts) and replays the call: the 401 proves the first try was not
 * applied. Pages are followed through `odata.nextLink` / `@odata.nextLink`; updates carry `If-Match`.
 */
import { BugError, UserError } from '../../core/errors.ts';
import { headerValue, type HttpClient, type HttpResponse, type KitServices } from '../kit/index.ts';
import { buildBatch, parseBatchResponse, type BatchItem, type BatchResult } from './batch.ts';
import { isSessionExpired, mapSapError } from './errors.ts';
import { SessionManager } from './session.ts';
import type { SapB1Settings, SapVersion } from './types.ts';

export interface SlRequest {
  method: string;
  /** Relative to the service root (`Orders(5)`, `Items?$filter=…`) or an absolute URL (a next link). */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Defaults to true for everything but GET. */
  write?: boolean;
  /** Return a non-2xx answer instead of throwing (a 401 is still renewed and replayed). */
  throwOnError?: boolean;
  signal?: AbortSignal | undefined;
}

export interface Page<T> {
  value: T[];
  nextLink: string | undefined;
}

function str(settings: Record<string, unknown>, key: string, connection: string, required = true): string | undefined {
  const v = settings[key];
  if (typeof v === 'string' && v !== '') return v;
  if (!required && v === undefined) return undefined;
  throw new UserError('OF_SAP_SETTINGS', `connection '${connection}': setting '${key}' must be a non-empty string`, { setting: key });
}

/** Reads and checks the connection's settings. */
export function parseSettings(raw: Record<string, unknown>, connection: string): SapB1Settings {
  const version = raw.version;
  if (version !== undefined && version !== 'v1' && version !== 'v2') {
    throw new UserError('OF_SAP_SETTINGS', `connection '${connection}': setting 'version' must be 'v1' or 'v2'`, { setting: 'version' });
  }
  const num = (key: string): number | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
    throw new UserError('OF_SAP_SETTINGS', `connection '${connection}': setting '${key}' must be a positive integer`, { setting: key });
  };
  if (raw.shareReads !== undefined && typeof raw.shareReads !== 'boolean') {
    throw new UserError('OF_SAP_SETTINGS', `connection '${connection}': setting 'shareReads' must be true or false`, { setting: 'shareReads' });
  }
  return {
    baseUrl: str(raw, 'baseUrl', connection)!,
    companyDb: str(raw, 'companyDb', connection)!,
    username: str(raw, 'username', connection)!,
    password: str(raw, 'password', connection)!,
    version,
    concurrency: num('concurrency'),
    timeoutMs: num('timeoutMs'),
    xrefField: str(raw, 'xrefField', connection, false),
    shareReads: raw.shareReads !== false,
  };
}

/** The service root for the settings: `…/b1s/v1` or `…/b1s/v2`. */
export function serviceRoot(settings: SapB1Settings): { url: string; version: SapVersion } {
  const trimmed = settings.baseUrl.replace(/\/+$/, '');
  const m = /^(.*)\/b1s\/(v1|v2)$/.exec(trimmed);
  const version = settings.version ?? (m?.[2] as SapVersion | undefined) ?? 'v1';
  return { url: `${m ? m[1] : trimmed}/b1s/${version}`, version };
}

/** Service Layer calls in flight on a connection unless `concurrency` says otherwise (sessions are expensive). */
export const DEFAULT_CONCURRENCY = 8;

export class SapB1Client {
  readonly version: SapVersion;
  readonly root: string;
  readonly sessions: SessionManager;
  private readonly http: HttpClient;

  constructor(
    readonly settings: SapB1Settings,
    kit: KitServices,
    readonly connection: string,
  ) {
    const { url, version } = serviceRoot(settings);
    this.version = version;
    this.root = url;
    this.http = kit.http({ name: connection, baseUrl: url, concurrency: settings.concurrency ?? DEFAULT_CONCURRENCY, timeoutMs: settings.timeoutMs ?? 60_000 });
    this.sessions = new SessionManager(this.http, settings, connection);
  }

  async request(req: SlRequest): Promise<HttpResponse> {
    const write = req.write ?? req.method.toUpperCase() !== 'GET';
    const send = (cookie: string) =>
      this.http.request({ method: req.method, path: req.path, body: req.body, headers: { ...req.headers, cookie }, write, throwOnError: false, signal: req.signal });
    const session = await this.sessions.get();
    let res = await send(session.cookie);
    if (isSessionExpired(res)) {
      // Rejected before anything happened: renewing and replaying once is safe, even for a write.
      const fresh = await this.sessions.renew(session.generation);
      res = await send(fresh.cookie);
    }
    if ((res.status >= 200 && res.status < 300) || req.throwOnError === false) return res;
    throw mapSapError(res, { connection: this.connection, method: req.method, path: req.path, write });
  }

  async get<T>(path: string, headers?: Record<string, string>): Promise<T> {
    return (await this.request({ method: 'GET', path, headers })).json<T>();
  }

  /** GET one entity with its ETag (from the header, or v2's `@odata.etag`). */
  async getWithEtag<T>(path: string): Promise<{ value: T; etag: string | undefined }> {
    const res = await this.request({ method: 'GET', path });
    const value = res.json<T & { '@odata.etag'?: string }>();
    return { value, etag: headerValue(res, 'etag') ?? value['@odata.etag'] };
  }

  async getPage<T>(path: string, headers?: Record<string, string>): Promise<Page<T>> {
    const body = await this.get<{ value?: T[]; 'odata.nextLink'?: string; '@odata.nextLink'?: string }>(path, headers);
    if (!Array.isArray(body.value)) throw new BugError('OF_SAP_BAD_RESPONSE', `GET ${path} on connection '${this.connection}' answered without a 'value' array`);
    const link = body['odata.nextLink'] ?? body['@odata.nextLink'];
    return { value: body.value, nextLink: link ? new URL(link, `${this.root}/`).toString() : undefined };
  }

  /** Every row of a collection query, following next links (at most `maxRows`, default 100 000). */
  async getAll<T>(path: string, opts: { pageSize?: number; maxRows?: number } = {}): Promise<T[]> {
    const headers = opts.pageSize ? { prefer: `odata.maxpagesize=${opts.pageSize}` } : undefined;
    const out: T[] = [];
    let next: string | undefined = path;
    const max = opts.maxRows ?? 100_000;
    while (next !== undefined && out.length < max) {
      const page: Page<T> = await this.getPage<T>(next, headers);
      out.push(...page.value);
      next = page.nextLink;
    }
    return out;
  }

  async post<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<T | undefined> {
    const res = await this.request({ method: 'POST', path, body, headers });
    return res.status === 204 || res.body.length === 0 ? undefined : res.json<T>();
  }

  /** PATCH with `If-Match` when an ETag is given; `replaceCollections` sends `B1S-ReplaceCollectionsOnPatch`. */
  async patch(path: string, body: unknown, opts: { etag?: string | undefined; replaceCollections?: boolean } = {}): Promise<void> {
    const headers: Record<string, string> = {};
    if (opts.etag) headers['if-match'] = opts.etag;
    if (opts.replaceCollections) headers['b1s-replacecollectionsonpatch'] = 'true';
    await this.request({ method: 'PATCH', path, body, headers });
  }

  async action(path: string, etag?: string): Promise<void> {
    await this.request({ method: 'POST', path, headers: etag ? { 'if-match': etag } : undefined });
  }

  /** One `$batch` call. A batch of reads only is retried like a read; one with writes is a write. */
  async batch(items: BatchItem[]): Promise<BatchResult[]> {
    const { contentType, body } = buildBatch(items, new URL(this.root).pathname);
    const write = items.some((i) => 'changeset' in i || i.method !== 'GET');
    const res = await this.request({ method: 'POST', path: '$batch', body, headers: { 'content-type': contentType }, write });
    return parseBatchResponse(headerValue(res, 'content-type'), res.text());
  }

  async logout(): Promise<void> {
    const s = this.sessions.drop();
    if (!s) return;
    await this.http.request({ method: 'POST', path: 'Logout', headers: { cookie: s.cookie }, write: false, throwOnError: false });
  }

  close(): void {
    this.http.close();
  }
}
