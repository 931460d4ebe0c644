import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs, one line per event, with request and correlation ids bound per request. A service
 * logs to stdout; a CLI command whose stdout is its result (`--json`) logs to stderr (`stderr: true`).
 */
export function createLogger(
  level: string,
  options: { base?: Record<string, unknown>; stderr?: boolean } = {},
): Logger {
  const settings = {
    level,
    base: { service: 'oms', pid: process.pid, ...options.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', '*.authorization', '*.key', '*.secret'], censor: '[redacted]' },
  };
  // Synchronous on stderr: a short-lived command exits right after its last line.
  return options.stderr ? pino(settings, pino.destination({ dest: 2, sync: true })) : pino(settings);
}
