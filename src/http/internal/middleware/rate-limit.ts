import type { Middleware } from 'koa';
import { HttpProblem } from '../../problem.ts';
import type { TenantSettings } from '../../../tenants/tenant-settings.ts';
import type { RateLimiter } from '../../rate-limiter.ts';
import type { AppState } from '../../state.ts';

/**
 * Per credential (API key or OAuth client alike): RateLimit-* headers on every answer, 429 +
 * Retry-After when the bucket is empty. The rate is the tenant's own (oms tenants set-rate-limit)
 * or the default OMS_RATE_LIMIT_PER_SECOND. RateLimit-Limit is the size of the bucket applied (2 ×
 * that rate) and RateLimit-Remaining what it still holds, so Remaining never exceeds Limit.
 */
export function rateLimit(limiter: RateLimiter, tenants: TenantSettings): Middleware<AppState> {
  return async (ctx, next) => {
    const principal = ctx.state.principal!;
    const d = await limiter.take(principal.id, (await tenants.rateLimit(principal.tenant)) ?? limiter.perSecond);
    ctx.set('RateLimit-Limit', String(d.limit));
    ctx.set('RateLimit-Remaining', String(d.remaining));
    if (!d.allowed) {
      const seconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
      ctx.set('RateLimit-Reset', String(seconds));
      throw new HttpProblem(
        429,
        'rate_limited',
        `too many requests for this credential (${d.rate}/s, bursts of ${d.limit}); retry after ${seconds} s`,
        {
          headers: { 'Retry-After': String(seconds) },
        },
      );
    }
    return next();
  };
}
