import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; one line per event, with request and correlation ids bound per request. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'oms', pid: process.pid, ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', '*.authorization', '*.key', '*.secret'], censor: '[redacted]' },
  });
}
