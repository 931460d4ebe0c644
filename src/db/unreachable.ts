// One answer to "is this error a backing service we cannot reach right now?", shared by the HTTP
// error mapping (503 dependency_unavailable), the projector (retry for ever, never park) and the
// start command (wait for the database instead of exiting).

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Postgres SQLSTATEs of an unreachable or unwilling server: class 08 (connection exception),
 * 53300 too_many_connections, 57P01–57P03 (admin/crash shutdown, cannot connect now).
 */
const UNREACHABLE_SQLSTATE = /^(08[0-9A-Z]{3}|53300|57P0[1-3])$/;

/** Error names of our clients when their pool or connection gives up: knex's acquire timeout, ioredis. */
const UNREACHABLE_NAMES = new Set(['KnexTimeoutError', 'MaxRetriesPerRequestError']);

/** Messages of pg, pg-pool and ioredis that carry no code. */
const UNREACHABLE_MESSAGE =
  /Connection terminated|Connection is closed|connection timeout|timeout exceeded when trying to connect|not queryable|terminating connection|Stream isn't writeable/i;

function fields(err: unknown): { code: string; name: string; message: string } | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  return {
    code: typeof e.code === 'string' ? e.code : '',
    name: typeof e.name === 'string' ? e.name : '',
    message: typeof e.message === 'string' ? e.message : '',
  };
}

/** The database or Redis is down, restarting, out of connections or not answering. */
export function isUnreachable(err: unknown): boolean {
  const e = fields(err);
  if (!e) return false;
  return (
    NETWORK_CODES.has(e.code) ||
    UNREACHABLE_SQLSTATE.test(e.code) ||
    UNREACHABLE_NAMES.has(e.name) ||
    UNREACHABLE_MESSAGE.test(e.message)
  );
}

/** Postgres gave up one transaction for another (class 40: serialization failure, deadlock): retry it. */
export function isTransactionConflict(err: unknown): boolean {
  return /^40[0-9A-Z]{3}$/.test(fields(err)?.code ?? '');
}

/**
 * Worth retrying unchanged: unreachable, a conflict of concurrent transactions, or a resource or
 * operator condition of the server (classes 53, 57).
 */
export function isRetryable(err: unknown): boolean {
  return isUnreachable(err) || isTransactionConflict(err) || /^(53|57)[0-9A-Z]{3}$/.test(fields(err)?.code ?? '');
}
