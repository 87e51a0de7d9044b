/**
 * The PrestaShop Webservice client: JSON reads (both empty-list shapes), XML writes, PUT as a
 * read-modify-write of the full object, and every failure mapped into the error taxonomy with
 * PrestaShop's own code and message kept in `details`.
 */
import { AmbiguousWriteError, BugError, TransientError, UserError, type OrderflowError } from '../../core/errors.ts';
import type { ConnectionConfig, HttpClient, HttpRequest, HttpResponse, KitServices } from '../kit/index.ts';
import { parseRetryAfter, headerValue } from '../kit/index.ts';
import { buildEntityXml, parseEntityXml, type XmlEntity } from './xml.ts';
import { StateCatalog, toStateInfo } from './states.ts';
import type { PrestaShopSettings, PsRecord } from './types.ts';

export type { PrestaShopSettings, PsRecord } from './types.ts';

export interface PsErrorEntry {
  code: number;
  message: string;
}

function str(settings: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = settings[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw new UserError('OF_PS_CONFIG', `PrestaShop connection setting '${key}' is missing; set settings.${key}`);
    return undefined;
  }
  if (typeof v !== 'string') throw new UserError('OF_PS_CONFIG', `PrestaShop connection setting '${key}' must be a string`);
  return v;
}

export function parseSettings(connection: ConnectionConfig): PrestaShopSettings {
  const s = connection.settings;
  const apiKey = str(s, 'apiKey', true) ?? '';
  if (apiKey.length !== 32) throw new UserError('OF_PS_CONFIG', `PrestaShop connection '${connection.name}': settings.apiKey must be the 32-character webservice key (got ${apiKey.length} characters)`);
  const list = (k: string) => (Array.isArray(s[k]) ? (s[k] as unknown[]).map(String) : undefined);
  const num = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
  if (s.shareReads !== undefined && typeof s.shareReads !== 'boolean') throw new UserError('OF_PS_CONFIG', `PrestaShop connection '${connection.name}': settings.shareReads must be true or false`);
  const psVersion = s.psVersion === '1.7' ? '1.7' : s.psVersion === undefined || s.psVersion === '8' ? '8' : undefined;
  if (!psVersion) throw new UserError('OF_PS_CONFIG', `PrestaShop connection '${connection.name}': settings.psVersion must be '8' or '1.7'`);
  return {
    baseUrl: str(s, 'baseUrl', true) ?? '',
    apiKey,
    psVersion,
    timeoutMs: num('timeoutMs'),
    concurrency: num('concurrency'),
    confirmedStates: list('confirmedStates'),
    cancelledStates: list('cancelledStates'),
    refundedStates: list('refundedStates'),
    webhookSecret: str(s, 'webhookSecret', false),
    timezone: str(s, 'timezone', false),
    shareReads: s.shareReads !== false,
  };
}

/** Reads `{"errors":[…]}` or the XML `<errors>` shape. */
export function parsePsErrors(body: string): PsErrorEntry[] {
  const t = body.trim();
  if (t.startsWith('{')) {
    try {
      const j = JSON.parse(t) as { errors?: Array<{ code?: unknown; message?: unknown }> };
      return (j.errors ?? []).map((e) => ({ code: Number(e.code), message: String(e.message ?? '') }));
    } catch {
      return [];
    }
  }
  const out: PsErrorEntry[] = [];
  const re = /<code>(?:<!\[CDATA\[)?\s*(\d+)\s*(?:\]\]>)?<\/code>\s*<message>(?:<!\[CDATA\[)?([\s\S]*?)(?:\]\]>)?<\/message>/g;
  for (let m = re.exec(t); m; m = re.exec(t)) out.push({ code: Number(m[1]), message: m[2] ?? '' });
  return out;
}

export function mapPsError(name: string, res: HttpResponse, req: HttpRequest): OrderflowError {
  const errors = parsePsErrors(res.text());
  const first = errors[0];
  const ps = first ? ` (PrestaShop code ${first.code}: ${first.message})` : res.status === 401 ? ` (${res.text().slice(0, 100)})` : '';
  const details = { status: res.status, psCode: first?.code, psMessage: first?.message, psErrors: errors, method: req.method, path: req.path.split('?')[0] };
  const where = `${req.method} ${details.path} on PrestaShop connection '${name}' answered ${res.status}${ps}`;
  const write = req.write ?? !['GET', 'HEAD'].includes(req.method.toUpperCase());
  switch (true) {
    case res.status === 401:
      return new UserError('OF_PS_AUTH', `${where}; check settings.apiKey and that the key is active with this resource granted (Advanced Parameters > Webservice)`, details);
    case res.status === 403:
      return new UserError('OF_PS_FORBIDDEN', `${where}; the key has no rights on this shop`, details);
    case res.status === 405:
      return new UserError('OF_PS_METHOD_NOT_ALLOWED', `${where}; grant this method to the key, or (PATCH) use a PrestaShop 8 shop`, details);
    case res.status === 404:
      return new UserError('OF_PS_NOT_FOUND', `${where}; the object does not exist`, details);
    case res.status === 503 && first?.code === 22:
      return new TransientError('OF_PS_WEBSERVICE_DISABLED', `${where}; enable the webservice in the shop's back office`, { details, retryAfterMs: parseRetryAfter(headerValue(res, 'retry-after')) });
    case res.status === 429 || res.status === 503:
      return new TransientError('OF_PS_UNAVAILABLE', where, { details, retryAfterMs: parseRetryAfter(headerValue(res, 'retry-after')) });
    case res.status === 500 && first?.code === 127:
      return new BugError('OF_PS_XML_REJECTED', `${where}; the XML we sent was malformed`, details);
    case res.status >= 500:
      return write ? new AmbiguousWriteError('OF_PS_WRITE_FAILED', `${where}; the write may have been applied`, details) : new TransientError('OF_PS_SERVER_ERROR', where, { details });
    default:
      return new UserError('OF_PS_REJECTED', where, details);
  }
}

export type Query = Record<string, string | number | undefined>;

/** Webservice requests in flight on a connection unless `concurrency` says otherwise: spares a small shop. */
export const DEFAULT_CONCURRENCY = 4;

export class PrestaShopClient {
  constructor(
    readonly connectionName: string,
    readonly settings: PrestaShopSettings,
    readonly http: HttpClient,
  ) {}

  private catalog: { at: number; value: StateCatalog } | undefined;

  /** The shop's order states, cached for five minutes; `refresh` when an unknown state id shows up. */
  async states(refresh = false): Promise<StateCatalog> {
    if (!refresh && this.catalog && Date.now() - this.catalog.at < 300_000) return this.catalog.value;
    const rows = await this.list('order_states', { display: 'full' });
    this.catalog = { at: Date.now(), value: new StateCatalog(rows.map(toStateInfo), this.settings) };
    return this.catalog.value;
  }

  /** The catalogue, refreshed once if one of `ids` is unknown (a state added since the last read). */
  async statesFor(ids: number[]): Promise<StateCatalog> {
    const c = await this.states();
    return ids.some((id) => id > 0 && !c.byId.has(id)) ? this.states(true) : c;
  }

  private readonly isoCodes = new Map<string, { at: number; value: Promise<string> }>();

  /**
   * The ISO code of a country or currency, cached for five minutes like the states: every order names
   * them, and they change about never. Concurrent lookups of one id share one request; a failed one is
   * not kept.
   */
  isoCode(resource: 'countries' | 'currencies', id: unknown): Promise<string> {
    const key = `${resource}/${String(id ?? '')}`;
    const hit = this.isoCodes.get(key);
    if (hit && Date.now() - hit.at < 300_000) return hit.value;
    const value = this.get(resource, String(id ?? ''), { display: '[id,iso_code]' }).then((r) => (r?.iso_code === undefined || r.iso_code === null ? '' : String(r.iso_code)));
    this.isoCodes.set(key, { at: Date.now(), value });
    value.catch(() => {
      if (this.isoCodes.get(key)?.value === value) this.isoCodes.delete(key);
    });
    return value;
  }

  private async req(method: string, path: string, query: Query, body?: string, throwOnError = true): Promise<HttpResponse> {
    return this.http.request({ method, path: `api/${path}`, query, body, throwOnError, headers: body ? { 'content-type': 'text/xml' } : undefined });
  }

  /** One object, or undefined on 404 (PrestaShop answers an unknown id with 404 and an empty body). */
  async get(resource: string, id: number | string, query: Query = {}): Promise<PsRecord | undefined> {
    const res = await this.req('GET', `${resource}/${id}`, { ...query, output_format: 'JSON' }, undefined, false);
    if (res.status === 404) return undefined;
    if (res.status >= 300) throw mapPsError(this.connectionName, res, { method: 'GET', path: `${resource}/${id}`, write: false });
    const json = res.json<Record<string, unknown>>();
    const value = Object.values(json)[0];
    return (Array.isArray(value) ? value[0] : value) as PsRecord | undefined;
  }

  /** A list. Accepts both empty shapes: `{"orders":[]}` (8.x) and a bare `[]` (1.7). */
  async list(resource: string, query: Query): Promise<PsRecord[]> {
    const res = await this.req('GET', resource, { ...query, output_format: 'JSON' });
    const text = res.text().trim();
    if (text === '' || text === '[]') return [];
    const json = JSON.parse(text) as Record<string, unknown> | unknown[];
    if (Array.isArray(json)) return json as PsRecord[];
    const value = json[resource];
    return Array.isArray(value) ? (value as PsRecord[]) : [];
  }

  /** The object as XML, parsed for a read-modify-write. */
  async getXml(resource: string, id: number): Promise<XmlEntity> {
    const res = await this.req('GET', `${resource}/${id}`, {}, undefined, false);
    if (res.status === 404) throw new UserError('OF_PS_NOT_FOUND', `PrestaShop connection '${this.connectionName}': ${resource} ${id} does not exist`, { resource, id });
    if (res.status >= 300) throw mapPsError(this.connectionName, res, { method: 'GET', path: `${resource}/${id}`, write: false });
    return parseEntityXml(res.text());
  }

  /** PUT the full object (fields left out would become NULL, so always send what was read). */
  async putXml(resource: string, entity: XmlEntity, query: Query = {}): Promise<PsRecord> {
    const res = await this.req('PUT', `${resource}/${entity.fields.get('id') as string}`, { ...query, output_format: 'JSON' }, buildEntityXml(entity));
    return Object.values(res.json<Record<string, PsRecord>>())[0] as PsRecord;
  }

  async postXml(resource: string, entity: XmlEntity, query: Query = {}): Promise<PsRecord> {
    const res = await this.req('POST', resource, { ...query, output_format: 'JSON' }, buildEntityXml(entity));
    return Object.values(res.json<Record<string, PsRecord>>())[0] as PsRecord;
  }

  /** GET, change some fields, PUT back the whole object. */
  async modify(resource: string, id: number, change: (e: XmlEntity) => void, query: Query = {}): Promise<PsRecord> {
    const entity = await this.getXml(resource, id);
    change(entity);
    return this.putXml(resource, entity, query);
  }
}

export function createPrestaShopClient(connection: ConnectionConfig, kit: KitServices): PrestaShopClient {
  const settings = parseSettings(connection);
  const http = kit.http({
    name: connection.name,
    baseUrl: settings.baseUrl,
    timeoutMs: settings.timeoutMs ?? 30_000,
    concurrency: settings.concurrency ?? DEFAULT_CONCURRENCY,
    headers: { authorization: `Basic ${Buffer.from(`${settings.apiKey}:`).toString('base64')}` },
    mapError: (res, req) => mapPsError(connection.name, res, req),
  });
  return new PrestaShopClient(connection.name, settings, http);
}
