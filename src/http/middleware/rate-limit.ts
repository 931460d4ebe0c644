import type { Middleware } from 'koa';
import { HttpProblem } from '../problem.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import type { AppState } from '../state.ts';

/** Per credential: RateLimit-* headers on every answer, 429 + Retry-After when the bucket is empty. */
export function rateLimit(limiter: RateLimiter): Middleware<AppState> {
  return async (ctx, next) => {
    const d = await limiter.take(ctx.state.principal!.id);
    ctx.set('RateLimit-Limit', String(d.limit));
    ctx.set('RateLimit-Remaining', String(d.remaining));
    if (!d.allowed) {
      const seconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
      ctx.set('RateLimit-Reset', String(seconds));
      throw new HttpProblem(429, 'rate_limited', `too many requests for this credential (${d.limit}/s); retry after ${seconds} s`, {
        headers: { 'Retry-After': String(seconds) },
      });
    }
    return next();
  };
}
