import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Fields of a Postgres error that echo row values ("Failing row contains (…)", "Key (email)=(…)"). */
const VALUE_BEARING = ['detail', 'where', 'internalQuery'];

/** pino's error serializer, minus what a database error quotes of the data it refused. */
function serializeError(err: Error): Record<string, unknown> {
  const out = pino.stdSerializers.err(err) as Record<string, unknown>;
  for (const k of VALUE_BEARING) if (k in out) out[k] = '[redacted]';
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
