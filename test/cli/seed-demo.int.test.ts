import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { REDIS_URL } from '../support/database.ts';
import { client } from '../support/http.ts';
import { spawnOms } from '../support/process.ts';
import { waitFor } from '../support/wait.ts';

describe('oms seed-demo', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app?.stop());

  it('creates a tenant with a working key, customers, stock and orders that then get allocated', async () => {
    const p = spawnOms(['seed-demo', '--tenant', 'seeded', '--json'], {
      DATABASE_URL: app.db.url,
      REDIS_URL,
      OMS_REDIS_PREFIX: app.redisPrefix,
      LOG_LEVEL: 'warn',
    });
    expect(await p.exited, p.output()).to.equal(0);
    // stdout is the result alone (warnings, e.g. that OMS_DEV_KEYS is on, go to stderr).
    const seeded = JSON.parse(p.stdout());
    expect(seeded).to.include({ tenant: 'seeded' });
    expect(seeded.orders).to.have.length(6);
    const api = client(app.baseUrl, seeded.key);
    const orders = await waitFor(
      () => api.get('/v1/orders'),
      (r) =>
        r.status === 200 &&
        r.body.data.length === 6 &&
        r.body.data.every((o: { status: string }) => o.status !== 'pending'),
      {
        what: 'six allocated orders',
      },
    );
    expect(orders.body.data.map((o: { status: string }) => o.status)).to.include('confirmed');
    expect(
      (await api.get('/v1/inventory/MUG-LOGO')).body.locations.map((l: { location: string }) => l.location),
    ).to.deep.equal(['default', 'east']);
  });
});
