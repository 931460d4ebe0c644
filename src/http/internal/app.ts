import Koa from 'koa';
import type { Logger } from '../../observability/logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { jsonBody } from './middleware/body.ts';
import { requestDeadline } from './middleware/deadline.ts';
import { corsPolicy, securityHeaders } from './middleware/security-headers.ts';
import { problemMiddleware } from './middleware/problem.ts';
import { requestContext } from './middleware/request-context.ts';
import { HttpProblem } from '../problem.ts';
import { buildRouter, type RouterDeps } from './router.ts';
import type { RouteDef } from '../route.ts';
import type { AppState } from '../state.ts';

export interface HttpAppOptions extends RouterDeps {
  routes: readonly RouteDef[];
  logger: Logger;
  metrics: Metrics;
  bodyLimitBytes: number;
  corsOrigins?: readonly string[];
  /** Koa app.proxy: trust X-Forwarded-* from a reverse proxy. */
  trustProxy?: boolean;
  requestTimeoutMs?: number;
}

/** Koa, its middleware in order, and the routes. */
export function createHttpApp(opts: HttpAppOptions): Koa<AppState> {
  const app = new Koa<AppState>();
  app.silent = true; // errors are logged by the problem middleware, once
  app.proxy = opts.trustProxy ?? false;
  const router = buildRouter(opts.routes, opts);
  app.use(requestContext(opts.logger, opts.metrics));
  // Outside the problem middleware, so error answers carry them too.
  app.use(securityHeaders());
  app.use(corsPolicy(opts.corsOrigins ?? []));
  app.use(problemMiddleware());
  app.use(requestDeadline(opts.requestTimeoutMs ?? 30_000));
  app.use(jsonBody(opts.bodyLimitBytes, new Set(opts.routes.filter((r) => r.formBody).map((r) => r.path))));
  app.use(router.routes());
  app.use(
    router.allowedMethods({
      throw: true,
      methodNotAllowed: () => new HttpProblem(405, 'method_not_allowed', 'this route does not support that method'),
      notImplemented: () => new HttpProblem(405, 'method_not_allowed', 'this method is not supported'),
    }),
  );
  return app;
}
