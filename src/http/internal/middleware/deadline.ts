import type { Middleware } from 'koa';
import { HttpProblem } from '../../problem.ts';
import type { AppState } from '../../state.ts';

/**
 * A request still running after `ms` is answered 503 request_timeout instead of holding the
 * client (and a socket) indefinitely. The work itself is not interrupted: a command either
 * appended its events atomically or did not, and the client can retry with its Idempotency-Key.
 */
export function requestDeadline(ms: number): Middleware<AppState> {
  // One promise and one timer per request (not a race of three promises): this runs on every request.
  // After the deadline, the work's late outcome settles nothing (a promise settles once).
  return (_ctx, next) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new HttpProblem(503, 'request_timeout', `the request did not complete within ${ms} ms; retry shortly`, {
              headers: { 'Retry-After': '1' },
            }),
          ),
        ms,
      );
      next().then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
}
