import { existsSync } from 'node:fs';
import { send } from '@koa/send';
import type { Middleware } from 'koa';
import { HttpProblem } from '../../problem.ts';
import type { AppState } from '../../state.ts';

/** A browser page the service serves: its index.html at `path`, its other files under `path`/. */
export interface StaticPage {
  path: string;
  /** The built folder (see tools/build-docs-page.ts for /docs). */
  dir: string;
  /** The npm script that builds `dir`, named in the 503 when it has not been built. */
  buildScript: string;
}

/**
 * The CSP of a page: its scripts, styles, fonts and images come from the service itself, it may fetch
 * from the service only (e.g. /openapi.json), and nothing inline runs: no inline script, no inline
 * style, no eval. The API's own answers keep `default-src 'none'` (security-headers.ts).
 */
export const PAGE_CSP = [
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

const FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Serves GET/HEAD `page.path` (index.html, never cached: a new build shows at once; `path`/ redirects
 * there) and the files
 * directly in its folder (`no-cache`: revalidated with Last-Modified; gzip when the build wrote a
 * .gz twin and the client accepts it). Anything else under the path falls through to the router (404).
 */
export function staticPage(page: StaticPage): Middleware<AppState> {
  const prefix = `${page.path}/`;
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === prefix) return ctx.redirect(page.path); // /docs/ → /docs, where the page's links resolve
    const file =
      ctx.path === page.path ? 'index.html' : ctx.path.startsWith(prefix) ? ctx.path.slice(prefix.length) : null;
    if (file === null || !FILE.test(file) || file.endsWith('.gz') || !existsSync(`${page.dir}/${file}`)) {
      if (file === 'index.html') {
        throw new HttpProblem(503, 'page_not_built', `this page has not been built: run npm run ${page.buildScript}`);
      }
      return next();
    }
    ctx.state.routeName = page.path;
    ctx.set('Content-Security-Policy', PAGE_CSP);
    await send(ctx, file, {
      root: page.dir,
      brotli: false,
      setHeaders: (res) => {
        if (file !== 'index.html') res.setHeader('Cache-Control', 'no-cache');
      },
    });
  };
}
