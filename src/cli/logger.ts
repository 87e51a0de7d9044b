/** The process logger: pino, JSON lines, secrets redacted wherever they are named. */
import pino from 'pino';

export const REDACT_PATHS = [
  'password', '*.password', '*.*.password',
  'token', '*.token', '*.*.token', 'apiToken', '*.apiToken',
  'secret', '*.secret', '*.*.secret', 'apiKey', '*.apiKey', '*.*.apiKey',
  'authorization', '*.authorization', 'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]',
  'settings.password', 'settings.apiKey', 'settings.authToken', 'settings.webhookSecret',
];

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): pino.Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } }, destination ?? pino.destination({ dest: 2, sync: false }));
}
