import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import Koa from 'koa';
import { problemMiddleware } from '../../src/http/internal/middleware/problem.ts';
import { PAGE_CSP, staticPage } from '../../src/http/internal/middleware/static-page.ts';
import type { AppState } from '../../src/http/state.ts';
import { createLogger } from '../../src/observability/logger.ts';

// The middleware that serves /docs (and any other built browser page), on a folder of its own.
describe('staticPage: a built browser page beside the API', () => {
  let dir: string;
  let server: Server;
  let base: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'oms-page-'));
    const app = new Koa<AppState>();
    const log = createLogger('silent');
    app.use(async (ctx, next) => {
      ctx.state.log = log;
      return next();
    });
    app.use(problemMiddleware());
    app.use(staticPage({ path: '/docs', dir, buildScript: 'docs:build' }));
    app.use(async (ctx) => {
      ctx.status = 404;
      ctx.body = 'router';
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 page_not_built while the folder has no index.html', async () => {
    const res = await fetch(`${base}/docs`);
    expect(res.status).to.equal(503);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(((await res.json()) as { code: string }).code).to.equal('page_not_built');
  });

  it('serves index.html at the path and the files in the folder, under the page CSP; nothing else', async () => {
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(path.join(dir, 'app.js'), 'console.log(1)');
    writeFileSync(path.join(dir, '.hidden'), 'secret');
    const page = await fetch(`${base}/docs`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-security-policy')).to.equal(PAGE_CSP);
    expect(await page.text()).to.include('<title>t</title>');
    const script = await fetch(`${base}/docs/app.js`);
    expect(script.status).to.equal(200);
    expect(script.headers.get('content-type')).to.match(/javascript/);
    expect(script.headers.get('cache-control')).to.equal('no-cache');
    const slash = await fetch(`${base}/docs/`, { redirect: 'manual' });
    expect([slash.status, slash.headers.get('location')]).to.deep.equal([302, '/docs']);
    for (const p of ['/docs/.hidden', '/docs/..%2Fetc%2Fpasswd', '/docs/missing.js', '/docs/sub/app.js', '/docsx']) {
      const res = await fetch(`${base}${p}`);
      expect([p, res.status, await res.text()]).to.deep.equal([p, 404, 'router']);
    }
    expect((await fetch(`${base}/docs/app.js`, { method: 'POST' })).status).to.equal(404);
  });
});
