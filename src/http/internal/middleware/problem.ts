import type { Middleware } from 'koa';
import { DomainError } from '../../../../domain/shared/errors.ts';
import { isTransactionConflict, isUnreachable } from '../../../db/unreachable.ts';
import { ContentionError, VersionMismatchError } from '../../../commands/errors.ts';
import { PiiKeyDestroyedError } from '../../../pii/keys.ts';
import { InvalidQueryError, NotFoundError } from '../../../queries/errors.ts';
import { HttpProblem, validationFailed } from '../../problem.ts';
import type { AppState } from '../../state.ts';

const DOMAIN_STATUS = { conflict: 409, not_found: 404, unprocessable: 422 } as const;

/** Whatever a request throws, the client gets problem+json; only real faults are 5xx and logged as such. */
export function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof DomainError)
    return new HttpProblem(DOMAIN_STATUS[err.kind], err.code, err.message, err.details ?? {});
  if (err instanceof InvalidQueryError) return validationFailed(err.errors, err.message);
  if (err instanceof NotFoundError) return new HttpProblem(404, `${err.noun}_not_found`, err.message);
  if (err instanceof VersionMismatchError) {
    return new HttpProblem(412, 'version_mismatch', err.message, { currentVersion: err.actual });
  }
  // New personal data for a forgotten customer (e.g. an order's new shipping address): its key is
  // destroyed, so nothing can be encrypted for them; the append never happened.
  if (err instanceof PiiKeyDestroyedError) {
    return new HttpProblem(409, 'customer_forgotten', "the customer's personal data was forgotten; none can be added");
  }
  // A serialization failure or deadlock (SQLSTATE class 40) is a race the client can retry, like contention.
  if (err instanceof ContentionError || isTransactionConflict(err)) {
    return new HttpProblem(503, 'contention', 'the resource is changing too fast; retry shortly', {
      headers: { 'Retry-After': '1' },
    });
  }
  const e = err as { status?: number; expose?: boolean; message?: string; type?: string };
  if (e.type === 'entity.too.large') return new HttpProblem(413, 'payload_too_large', 'the request body is too large');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return new HttpProblem(
      e.status,
      'bad_request',
      e.expose && e.message ? e.message : 'the request cannot be processed',
    );
  }
  if (isUnreachable(err)) {
    return new HttpProblem(503, 'dependency_unavailable', 'a backing service is unavailable; retry shortly', {
      headers: { 'Retry-After': '2' },
    });
  }
  return new HttpProblem(500, 'internal_error', 'an unexpected error occurred; it has been logged');
}

export function problemMiddleware(): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpProblem(404, 'route_not_found', `no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      const problem = toProblem(err);
      if (problem.code === 'internal_error') ctx.state.log?.error({ err }, 'request failed');
      else if (problem.status >= 500) {
        // An expected 503 (a dependency down, a position not reached yet, contention, a deadline):
        // worth a warning with its cause, not a stack trace.
        const cause = err instanceof HttpProblem ? undefined : (err as { message?: string }).message;
        ctx.state.log?.warn({ code: problem.code, detail: problem.detail, cause }, 'request not served');
      }
      ctx.status = problem.status;
      ctx.type = 'application/problem+json';
      ctx.body = problem.body(ctx.path);
      for (const [k, v] of Object.entries(problem.extras.headers ?? {})) ctx.set(k, v);
    }
  };
}
