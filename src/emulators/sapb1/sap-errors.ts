/**
 * SAP's error bodies. v1 (OData 3) documents `{"error":{"code":-10,"message":{"lang":"en-us","value":"…"}}}`
 * with a numeric code; v2 (OData 4) sends `{"error":{"code":"-2028","message":"…"}}` with both as strings.
 */
import type { EmuResponse, Version } from './types.ts';

/** Thrown by handlers; the HTTP layer renders it in the version's shape. */
export class SapFault extends Error {
  constructor(
    readonly status: number,
    readonly sapCode: number,
    message: string,
  ) {
    super(message);
  }
}

export function errorBody(version: Version, code: number, message: string): unknown {
  if (version === 'v1') return { error: { code, message: { lang: 'en-us', value: message } } };
  return { error: { code: String(code), message } };
}

export function faultResponse(version: Version, f: SapFault): EmuResponse {
  return { status: f.status, json: errorBody(version, f.sapCode, f.message) };
}

// The literal messages of the spec's error table (section 3).
export const notFound = (): SapFault => new SapFault(404, -2028, 'No matching records found (ODBC -2028)');
export const notSupported = (): SapFault => new SapFault(400, -5006, 'The requested action is not supported for this object.');
export const etagMismatch = (): SapFault =>
  new SapFault(412, -2039, 'Another user or another operation modified data; to continue, open the window again (ODBC -2039)');
export const duplicateRow = (): SapFault => new SapFault(400, -2035, 'This entry already exists in the following tables (ODBC -2035)');
export const invalidSession = (): SapFault => new SapFault(401, 301, 'Invalid session or session already timeout.');
// Bad credentials: commonly 401/-304 (marked uncertain in the spec; we follow the common report).
export const badLogin = (): SapFault => new SapFault(401, -304, 'Fail to get DB Credentials from SLD');
// A malformed query option or unknown property: the spec does not give the code; -1000 is SL's general
// "bad request" code (it is the documented code of a malformed $batch), so we use it here too (?).
export const badRequest = (message: string): SapFault => new SapFault(400, -1000, message);
/** A business rule a real SAP enforces. The spec marks the exact code per message uncertain; we use -10. */
export const ruleViolation = (message: string): SapFault => new SapFault(400, -10, message);
/** A missing required value (`Item number is missing; …`): -5002 per the spec's examples (?). */
export const missingValue = (message: string): SapFault => new SapFault(400, -5002, message);
