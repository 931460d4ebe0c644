import type { Middleware } from 'koa';
import { HttpProblem } from '../../problem.ts';
import type { AppState } from '../../state.ts';

/**
 * A request still running after `ms` is answered 503 request_timeout instead of holding the
 * client (and a socket) indefinitely. The work itself is not interrupted: a command either
 * appended its events atomically or did not, and the client can retry with its Idempotency-Key.
 */
export function requestDeadline(ms: number): Middleware<AppState> {
  return async (_ctx, next) => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new HttpProblem(503, 'request_timeout', `the request did not complete within ${ms} ms; retry shortly`, {
              headers: { 'Retry-After': '1' },
            }),
          ),
        ms,
      );
    });
    const work = next();
    work.catch(() => {}); // after the deadline, a late failure has no one to answer
    try {
      await Promise.race([work, expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
