import Koa from 'koa';
import type { Logger } from '../../observability/logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { jsonBody } from './middleware/body.ts';
import { consoleStatic } from './middleware/console.ts';
import { requestDeadline } from './middleware/deadline.ts';
import { corsPolicy, securityHeaders } from './middleware/security-headers.ts';
import { problemMiddleware } from './middleware/problem.ts';
import { requestContext } from './middleware/request-context.ts';
import { type StaticPage, staticPage } from './middleware/static-page.ts';
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
  /** Browser pages served beside the API (GET /docs), each with its own CSP. */
  pages?: readonly StaticPage[];
  /** The built operator console (console/dist), served under /console; absent: no console. */
  consoleDir?: string;
}

/** Koa, its middleware in order, and the routes. */
export function createHttpApp(opts: HttpAppOptions): Koa<AppState> {
  const app = new Koa<AppState>();
  app.silent = true; // errors are logged by the problem middleware, once
  app.proxy = opts.trustProxy ?? false;
  // One trusted proxy: the client address is the last X-Forwarded-For entry, the one that proxy
  // added. Entries before it come from the client and may be made up (they would dodge the
  // per-address rate limit).
  app.maxIpsCount = 1;
  const router = buildRouter(opts.routes, opts);
  app.use(requestContext(opts.logger, opts.metrics));
  // Outside the problem middleware, so error answers carry them too.
  app.use(securityHeaders());
  app.use(corsPolicy(opts.corsOrigins ?? []));
  app.use(problemMiddleware());
  app.use(requestDeadline(opts.requestTimeoutMs ?? 30_000));
  for (const page of opts.pages ?? []) app.use(staticPage(page));
  if (opts.consoleDir) app.use(consoleStatic(opts.consoleDir));
  app.use(jsonBody(opts.bodyLimitBytes, new Set(opts.routes.filter((r) => r.formBody).map((r) => r.path))));
  app.use(router.routes());
  // The router answers 405 (a method the path lacks) or 501 (a method no route has) and sets Allow;
  // both become a 405 problem that keeps Allow (RFC 9110 §15.5.6).
  const allowedMethods = router.allowedMethods();
  app.use(async (ctx, next) => {
    await allowedMethods(ctx as never, next);
    if (ctx.status !== 405 && ctx.status !== 501) return;
    const allow = ctx.response.get('Allow');
    throw new HttpProblem(
      405,
      'method_not_allowed',
      ctx.status === 405 ? 'this route does not support that method' : 'this method is not supported',
      allow ? { headers: { Allow: allow } } : {},
    );
  });
  return app;
}
