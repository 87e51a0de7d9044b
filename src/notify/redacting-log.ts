/** A logger that masks every known secret in whatever it writes (defence in depth: messages are redacted at the source too). */
import type { Logger } from '../core/log.ts';
import type { SecretRedactor } from './secrets.ts';

export function redactingLogger(log: Logger, redactor: SecretRedactor): Logger {
  const clean = (obj: object | string): object | string => {
    if (typeof obj === 'string') return redactor.redact(obj);
    try {
      return JSON.parse(redactor.redact(JSON.stringify(obj))) as object;
    } catch {
      return {};
    }
  };
  const msg = (m: string | undefined) => (m === undefined ? undefined : redactor.redact(m));
  return {
    debug: (o, m) => log.debug(clean(o), msg(m)),
    info: (o, m) => log.info(clean(o), msg(m)),
    warn: (o, m) => log.warn(clean(o), msg(m)),
    error: (o, m) => log.error(clean(o), msg(m)),
    child: (b) => redactingLogger(log.child(clean(b) as Record<string, unknown>), redactor),
  };
}
