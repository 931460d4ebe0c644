import type { Server } from 'node:http';
import { expect } from 'chai';
import Koa from 'koa';
import { requestContext } from '../../src/http/internal/middleware/request-context.ts';
import type { AppState } from '../../src/http/state.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { capturedLogger } from '../support/log-capture.ts';

// The request's logger is made on first use and the access line only built when info is on
// (request-context.ts): what is logged, and with which request id, must not depend on that.
describe('requestContext: request id, request logger, access line', () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
  });

  async function serve(level: string): Promise<{ base: string; lines: Record<string, unknown>[] }> {
    const { logger, lines } = capturedLogger(level);
    const app = new Koa<AppState>();
    app.use(requestContext(logger, createMetrics()));
    app.use(async (ctx) => {
      ctx.state.routeName = '/t';
      if (ctx.path === '/warn') ctx.state.log.warn('handler warned');
      if (ctx.path === '/replaced') {
        ctx.state.log = logger.child({ replaced: true });
        ctx.state.log.warn('after replacing');
      }
      ctx.body = { requestId: ctx.state.requestId };
    });
    const server = app.listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((r) => server.once('listening', r));
    return { base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, lines };
  }

  it('at info: one access line per request and the handler lines, all with the request id', async () => {
    const { base, lines } = await serve('info');
    const res = await fetch(`${base}/warn`, { headers: { 'X-Request-Id': 'req-1' } });
    expect(res.headers.get('x-request-id')).to.equal('req-1');
    expect(await res.json()).to.deep.equal({ requestId: 'req-1' });
    expect(lines.map((l) => [l.msg, l.requestId])).to.deep.equal([
      ['handler warned', 'req-1'],
      ['request', 'req-1'],
    ]);
    expect(lines[1]).to.include({ method: 'GET', path: '/warn', route: '/t', status: 200 });
  });

  it('at warn: no access line; what the handler logs still carries the request id (a new one per request)', async () => {
    const { base, lines } = await serve('warn');
    const a = await fetch(`${base}/warn`);
    const b = await fetch(`${base}/quiet`);
    const id = a.headers.get('x-request-id');
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    expect(b.headers.get('x-request-id'))
      .to.match(/^[0-9a-f-]{36}$/)
      .and.not.equal(id);
    expect(lines.map((l) => [l.msg, l.requestId])).to.deep.equal([['handler warned', id]]);
  });

  it('a logger assigned to ctx.state.log replaces the request logger', async () => {
    const { base, lines } = await serve('warn');
    await fetch(`${base}/replaced`);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ msg: 'after replacing', replaced: true });
    expect(lines[0]).to.not.have.property('requestId');
  });
});
