import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { send } from '@koa/send';
import type { Middleware } from 'koa';
import { HttpProblem } from '../../problem.ts';
import type { AppState } from '../../state.ts';

export const CONSOLE_PATH = '/console';

/**
 * The console's own CSP: its scripts and styles come from this origin only (Vite emits files, no
 * inline code, so no 'unsafe-inline'), it talks to this API only, and it may not be framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the operator console built into `dir` (console/dist) under /console: hashed files in
 * assets/ are cached for a year; every other path is the app's index.html (it routes in the
 * browser), never cached. Nothing here needs a credential: the app asks for the API key and sends
 * it to the API itself.
 */
export function consoleStatic(dir: string): Middleware<AppState> {
  return async (ctx, next) => {
    if (ctx.path !== CONSOLE_PATH && !ctx.path.startsWith(`${CONSOLE_PATH}/`)) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD')
      throw new HttpProblem(405, 'method_not_allowed', 'the console is read with GET', {
        headers: { Allow: 'GET, HEAD' },
      });
    if (ctx.path === CONSOLE_PATH) {
      ctx.redirect(`${CONSOLE_PATH}/`);
      return;
    }
    if (!existsSync(join(dir, 'index.html')))
      throw new HttpProblem(404, 'console_not_built', 'the console is not built: run npm run build:console');
    ctx.state.routeName = CONSOLE_PATH;
    ctx.set('Content-Security-Policy', CONSOLE_CSP);
    const rel = ctx.path.slice(CONSOLE_PATH.length + 1);
    if (rel.startsWith('assets/')) {
      try {
        await send(ctx, rel, { root: dir, immutable: true, maxage: 365 * 24 * 3600 * 1000, index: false });
        ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
        return;
      } catch {
        throw new HttpProblem(404, 'not_found', `no file at ${ctx.path}`);
      }
    }
    await send(ctx, 'index.html', { root: dir, index: false });
    ctx.set('Cache-Control', 'no-store');
  };
}
