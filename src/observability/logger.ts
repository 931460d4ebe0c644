import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Fields of a Postgres error that echo row values ("Failing row contains (…)", "Key (email)=(…)"). */
const VALUE_BEARING = ['detail', 'where', 'internalQuery'];

/**
 * pino's error serializer, minus what a database error quotes of the data it refused. Whatever is
 * logged as `err` may not be an Error (a message string): that passes through as it is, and must not
 * throw, which would fail the request being logged.
 */
function serializeError(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as unknown;
  if (typeof out !== 'object' || out === null) return out;
  for (const k of VALUE_BEARING) if (k in out) (out as Record<string, unknown>)[k] = '[redacted]';
  return out;
}

/**
 * JSON logs, one line per event, with request and correlation ids bound per request. A service
 * logs to stdout; a CLI command whose stdout is its result (`--json`) logs to stderr (`stderr: true`).
 */
export function createLogger(
  level: string,
  options: { base?: Record<string, unknown>; stderr?: boolean; destination?: DestinationStream } = {},
): Logger {
  const settings = {
    level,
    base: { service: 'oms', pid: process.pid, ...options.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', '*.authorization', '*.key', '*.secret'], censor: '[redacted]' },
    serializers: { err: serializeError },
  };
  if (options.destination) return pino(settings, options.destination);
  // Synchronous on stderr: a short-lived command exits right after its last line.
  return options.stderr ? pino(settings, pino.destination({ dest: 2, sync: true })) : pino(settings);
}
