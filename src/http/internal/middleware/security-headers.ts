import cors from '@koa/cors';
import type { Middleware } from 'koa';
import type { AppState } from '../../state.ts';
import { READ_SOURCE_HEADER } from '../../read-source.ts';

/**
 * Headers every answer carries. The API serves JSON only, so the CSP forbids everything; answers
 * may hold tenant data, so nothing is cached. HSTS only over HTTPS (directly, or as told by a
 * trusted proxy's X-Forwarded-Proto): browsers ignore it over plain HTTP anyway.
 */
export function securityHeaders(): Middleware<AppState> {
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cache-Control', 'no-store');
    if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
    return next();
  };
}

const EXPOSED = [
  'ETag',
  'Location',
  'Oms-Position',
  READ_SOURCE_HEADER,
  'Idempotent-Replayed',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'X-Request-Id',
];

/**
 * Strict CORS: only the configured origins get Access-Control-Allow-Origin (none by default).
 * Credentials are bearer tokens, never cookies, so no Allow-Credentials.
 */
export function corsPolicy(allowedOrigins: readonly string[]): Middleware<AppState> {
  const allowed = new Set(allowedOrigins);
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return allowed.has(origin) ? origin : '';
    },
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'Oms-Min-Position', 'X-Request-Id'],
    exposeHeaders: EXPOSED,
    maxAge: 600,
  }) as Middleware<AppState>;
}
