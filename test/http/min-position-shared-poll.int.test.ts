import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { countQueries } from '../support/query-count.ts';

// Oms-Min-Position waits for the read models; the waiting requests share one poll loop per
// process, so 50 of them cost what one costs (a checkpoint query per tick), not 50 times that.
describe('Oms-Min-Position: one poll loop for every waiting request (int)', function () {
  this.timeout(90_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  before(async () => {
    // No projector yet: the read models stay behind until the second test starts one.
    app = await startTestApp({ roles: ['api'] });
    api = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => app?.stop());

  const written = async () => {
    const res = await api.post('/v1/customers', { email: `wait-${Date.now()}@example.com`, name: 'Waiting' });
    expect(res.status, res.text).to.equal(201);
    return res.headers.get('oms-position')!;
  };

  it('50 concurrent requests waiting out the 5 s: 503 each, and checkpoint queries bounded by the ticks', async () => {
    const position = await written();
    const queries = countQueries(app.runtime.services.pool, /projection_checkpoints/);
    const started = Date.now();
    let answers: Awaited<ReturnType<typeof api.get>>[];
    try {
      answers = await Promise.all(
        Array.from({ length: 50 }, () => api.get('/v1/customers', { 'Oms-Min-Position': position })),
      );
    } finally {
      queries.restore();
    }
    const elapsed = Date.now() - started;
    for (const r of answers) expectProblem(r, 503, 'position_not_reached');
    // One query per 10 ms tick at most, whatever the number of waiters (per-request polling: ~50×).
    expect(queries.count()).to.be.at.most(Math.ceil(elapsed / 10) + 5);
    expect(queries.count()).to.be.at.least(1);
  });

  it('the waiters are answered once the projections reach the position', async () => {
    await app.runtime.start(['projector']);
    const position = await written();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => api.get('/v1/customers', { 'Oms-Min-Position': position })),
    );
    for (const r of answers) expect(r.status, r.text).to.equal(200);
  });
});
