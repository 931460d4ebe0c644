// What the architecture costs before any of the service's own work: Koa, @koa/router and one named
// prepared statement on a pg pool reading an order's row by primary key, answered as JSON. No auth,
// tenancy, logging, metrics, headers, stale check or view: the least a GET /v1/orders/:id served by
// Koa and pg can cost. Run as its own process, like the Koa hello world and the API.
//   DATABASE_URL=... TENANT=... PORT=0 node --import tsx bench/lib/koa-pg-floor.ts
import Router from '@koa/router';
import Koa from 'koa';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const tenant = process.env.TENANT ?? 'bench';
const router = new Router();
router.get('/v1/orders/:id', async (ctx) => {
  const r = await pool.query<{ state: unknown; version: number }>({
    name: 'floor-get-order',
    text: 'select state, version from orders where tenant = $1 and id = $2',
    values: [tenant, ctx.params.id],
  });
  const row = r.rows[0];
  if (!row) return ctx.throw(404);
  ctx.body = row.state;
});
const app = new Koa();
app.use(router.routes());
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening on ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
server.keepAliveTimeout = 65_000;
process.once('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
