/** Shapes shared by the SAP Business One Service Layer emulator's modules. */

/** `v1` serves OData v3 shapes, `v2` OData v4 shapes. */
export type Version = 'v1' | 'v2';

export type Obj = Record<string, unknown>;

/** One request after the HTTP layer has read it: also what one `$batch` part becomes. */
export interface EmuRequest {
  method: string;
  /** The path below `/b1s/vN`, percent-decoded, starting with `/` (`/Orders(5)/Close`). */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  rawBody: string;
  version: Version;
  /** `http://host:port/b1s/v1`: used for context annotations and links. */
  base: string;
  /** The session id from the `B1SESSION` cookie, if any. */
  sessionId: string | undefined;
}

export interface EmuResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  /** Serialised as JSON with the version's content type. */
  json?: unknown;
  /** Already serialised JSON (sent with the version's JSON content type): spares a copy of large entities. */
  jsonText?: string;
  /** Sent as is (`text/plain` unless `headers` say otherwise). */
  text?: string;
}

/** A stored record: its JSON form plus the version its ETag is derived from. */
export interface Row {
  data: Obj;
  version: number;
  etag?: string | undefined;
}
