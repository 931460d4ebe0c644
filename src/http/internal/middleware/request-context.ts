import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../../../observability/logger.ts';
import type { Metrics } from '../../../observability/metrics.ts';
import type { AppState } from '../../state.ts';

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Request id (the client's X-Request-Id when sane), a bound logger, one access log line, latency metric. */
export function requestContext(logger: Logger, metrics: Metrics): Middleware<AppState> {
  return async (ctx, next) => {
    const given = ctx.get('X-Request-Id');
    const requestId = CLIENT_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // Never the raw path: every distinct label set is a series kept for the life of the process.
      const route = ctx.state.routeName ?? 'unmatched';
      metrics.httpDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
      // The credential audit: which key or OAuth client acted for which tenant (never the secret).
      const p = ctx.state.principal;
      ctx.state.log.info(
        {
          method: ctx.method,
          path: ctx.path,
          route,
          status: ctx.status,
          ms: Math.round(seconds * 1e4) / 10,
          actor: p?.id,
          ...(p ? { credential: { id: p.id, kind: p.kind, tenant: p.tenant } } : {}),
        },
        'request',
      );
    }
  };
}
