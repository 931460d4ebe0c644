import type { Middleware, ParameterizedContext } from 'koa';
import { HttpProblem } from '../../problem.ts';
import type { RateDecision, RateLimiter } from '../../rate-limiter.ts';
import type { AppState } from '../../state.ts';

// Traffic without a valid credential is limited per client address (ctx.ip: the socket's peer, or
// with OMS_TRUST_PROXY the address the one trusted proxy put last in X-Forwarded-For): the
// unauthenticated routes (/oauth/token, /readyz, …) take from the address's bucket on every
// request, authenticated routes on every failed authentication. The bucket is the limiter's
// (Redis, shared by the API processes); OMS_RATE_LIMIT_PER_ADDRESS sets its rate.

const addressKey = (ctx: ParameterizedContext<AppState>) => `addr:${ctx.ip || 'unknown'}`;

function tooMany(retryAfterMs: number, d?: RateDecision): HttpProblem {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const rate = d ? ` (${d.rate}/s, bursts of ${d.limit})` : '';
  return new HttpProblem(
    429,
    'rate_limited',
    `too many requests without valid credentials from this address${rate}; retry after ${seconds} s`,
    { headers: { 'Retry-After': String(seconds), 'RateLimit-Reset': String(seconds) } },
  );
}

/** Unauthenticated routes: one token per request from the client address's bucket. */
export function addressRateLimit(limiter: RateLimiter, perSecond: number): Middleware<AppState> {
  return async (ctx, next) => {
    const d = await limiter.take(addressKey(ctx), perSecond);
    ctx.set('RateLimit-Limit', String(d.limit));
    ctx.set('RateLimit-Remaining', String(d.remaining));
    if (!d.allowed) throw tooMany(d.retryAfterMs, d);
    return next();
  };
}

const MAX_BLOCKED = 10_000;

/**
 * Wraps authentication: a failure takes a token from the address's bucket; once it is empty, the
 * address is answered 429 without looking at its credentials (no credential lookup, no database
 * query) until the bucket would hold a token again. This process remembers that, so a flood of
 * made-up credentials costs neither Redis nor Postgres a round trip per request.
 */
export function limitFailedAuthentication(
  limiter: RateLimiter,
  perSecond: number,
  authenticate: Middleware<AppState>,
): Middleware<AppState> {
  const blockedUntil = new Map<string, number>();
  return async (ctx, next) => {
    const key = addressKey(ctx);
    const until = blockedUntil.get(key);
    if (until !== undefined) {
      if (until > Date.now()) throw tooMany(until - Date.now());
      blockedUntil.delete(key);
    }
    try {
      await authenticate(ctx, async () => {});
    } catch (err) {
      if (err instanceof HttpProblem && err.status === 401) {
        const d = await limiter.take(key, perSecond);
        if (!d.allowed) {
          // Oldest first: Map keeps insertion order.
          if (blockedUntil.size >= MAX_BLOCKED) blockedUntil.delete(blockedUntil.keys().next().value!);
          blockedUntil.set(key, Date.now() + d.retryAfterMs);
          throw tooMany(d.retryAfterMs, d);
        }
      }
      throw err;
    }
    return next();
  };
}
