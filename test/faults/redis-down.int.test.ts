import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';

// The API with its Redis unreachable (nothing listens on port 1): Postgres-only requests still work,
// Redis-dependent ones answer 503 quickly instead of hanging; mocha's timeout bounds "quickly".
describe('API with Redis down (int)', function () {
  this.timeout(20_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;

  before(async () => {
    app = await startTestApp({ roles: ['api'], env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    const k = await app.key(['*']);
    api = client(app.baseUrl, k.key);
  });
  after(async () => app?.stop());

  it('/readyz answers 503 with Retry-After and names redis as the failing check', async () => {
    const res = await client(app.baseUrl).get('/readyz');
    expect(res.status).to.equal(503);
    expect(res.headers.get('retry-after')).to.equal('2');
    const checks = res.body.checks as { name: string; ok: boolean }[];
    expect(checks.find((c) => c.name === 'redis')?.ok).to.equal(false);
    expect(checks.find((c) => c.name === 'postgres')?.ok).to.equal(true);
  });

  it('/metrics still answers 200 (queue depth is skipped)', async () => {
    expect((await client(app.baseUrl).get('/metrics')).status).to.equal(200);
  });

  it('a command that needs only Postgres still succeeds', async () => {
    const res = await api.post('/v1/customers', { email: 'redis-down@example.com', name: 'Redis Down' });
    expect(res.status).to.equal(201);
  });
});
