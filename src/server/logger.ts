/**
 * The logger fastify writes to. A pino instance from the CLI gets a child with the server's redaction
 * paths, so credentials in headers and secret-named fields never reach the log even if the parent was
 * made without them. Any other `Logger` (tests, embedders) is adapted, scrubbing secrets on the way.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { silentLogger, type Logger } from '../core/log.ts';
import { REDACTED, SERVER_REDACT_PATHS, scrubSecrets } from './secrets.ts';

export function serverLogger(log: Logger, loggerInstance?: PinoLogger): FastifyBaseLogger {
  if (loggerInstance) return loggerInstance.child({ component: 'http' }, { redact: { paths: SERVER_REDACT_PATHS, censor: REDACTED } });
  // The adapted Logger filters levels itself, so all are passed on; the silent one lets hot paths skip work.
  return adapt(log.child({ component: 'http' }), log === silentLogger ? 'silent' : 'debug');
}

type Level = 'debug' | 'info' | 'warn' | 'error';

function adapt(log: Logger, level: string): FastifyBaseLogger {
  const write =
    (l: Level) =>
    (obj: unknown, msg?: string): void => {
      if (typeof obj === 'string') log[l](obj);
      else log[l](scrubSecrets((obj ?? {}) as object), msg);
    };
  const adapted = {
    level,
    fatal: write('error'),
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    trace: write('debug'),
    silent: () => undefined,
    child: (bindings: Record<string, unknown>) => adapt(log.child(scrubSecrets(bindings)), level),
  };
  // pino's LogFn has many overloads; the adapter implements the two shapes fastify and we call.
  return adapted as unknown as FastifyBaseLogger;
}
