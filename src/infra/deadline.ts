/** Thrown when a backing service does not answer in time; the HTTP layer maps it to 503 dependency_unavailable. */
export class DependencyTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  readonly dependency: string;
  readonly timeoutMs: number;

  constructor(dependency: string, timeoutMs: number) {
    super(`${dependency} did not answer within ${timeoutMs} ms`);
    this.dependency = dependency;
    this.timeoutMs = timeoutMs;
    this.name = 'DependencyTimeoutError';
  }
}

/**
 * Bounds a call on a connection that queues commands while its service is down (BullMQ's ioredis
 * connection needs maxRetriesPerRequest: null, so a request would otherwise wait for Redis forever).
 * The underlying call is not cancelled; it may still complete once the service is back.
 */
export async function withDeadline<T>(dependency: string, timeoutMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DependencyTimeoutError(dependency, timeoutMs)), timeoutMs);
  });
  work.catch(() => {}); // a late failure after the deadline must not become an unhandled rejection
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
