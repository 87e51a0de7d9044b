/**
 * The logging port used everywhere below the CLI. It is pino's shape, reduced to what we call, so that
 * core code and connectors stay free of I/O. `child` carries runId, stepId, lane and connection.
 */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
  /** pino's level check; a logger without it is taken to write at every level. */
  isLevelEnabled?(level: string): boolean;
}

/**
 * A child whose bindings reach the real logger only when it first writes at an enabled level. A run
 * makes one per step and per action; at the usual levels most never write, and building them all was a
 * visible share of the engine's CPU.
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let real: Logger | undefined;
  const to = (level: 'debug' | 'info' | 'warn' | 'error') => (obj: object | string, msg?: string) => {
    if (parent.isLevelEnabled?.(level) === false) return;
    real ??= parent.child(bindings);
    real[level](obj, msg);
  };
  return {
    debug: to('debug'),
    info: to('info'),
    warn: to('warn'),
    error: to('error'),
    child: (more) => lazyChild(parent, { ...bindings, ...more }),
    isLevelEnabled: (level) => parent.isLevelEnabled?.(level) ?? true,
  };
}

/** A logger that drops everything: for tests and tools that must stay quiet. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
