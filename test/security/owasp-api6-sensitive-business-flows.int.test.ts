// OWASP API6:2023 Unrestricted Access to Sensitive Business Flows: a scripted order flood from one
// credential is throttled (and refused orders leave nothing behind); other credentials, even of
// the same tenant, keep placing orders.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { address, newCustomer } from '../support/oms.ts';

describe('OWASP API6 sensitive business flows: order floods', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ roles: ['api'], env: { OMS_RATE_LIMIT_PER_SECOND: '5' } });
  });
  after(async () => app?.stop());

  it('60 orders fired at once from one key: at most the bucket (plus refill) is placed, the rest 429; another key still orders', async () => {
    const flooder = await app.key(['*']);
    const other = await app.key(['*'], flooder.tenant);
    const api = client(app.baseUrl, flooder.key);
    const customerId = await newCustomer(client(app.baseUrl, other.key));
    const order = (i: number) => ({
      customerId,
      currency: 'EUR',
      lines: [{ sku: 'FLOOD-1', quantity: 1, unitPrice: 100 }],
      shippingAddress: address,
      notes: `bot ${i}`,
    });

    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => api.post('/v1/orders', order(i))));
    const placed = results.filter((r) => r.status === 201);
    const limited = results.filter((r) => r.status === 429);
    expect(placed.length + limited.length, JSON.stringify(results.map((r) => r.status))).to.equal(60);
    expect(limited.length).to.be.at.least(20); // bucket of 10 plus 5/s refill while the flood is served
    expectProblem(limited[0]!, 429, 'rate_limited');
    expect(limited[0]!.headers.get('retry-after')).to.match(/^[1-9]\d*$/);
    expect(limited[0]!.headers.get('ratelimit-remaining')).to.equal('0');

    // Refused orders were never appended: the store holds exactly the placed ones.
    const streams = await app.db
      .knex('es_streams')
      .count('* as n')
      .where('stream_name', 'like', `${flooder.tenant}:order:%`)
      .first();
    expect(Number(streams?.n)).to.equal(placed.length);

    const ok = await client(app.baseUrl, other.key).post('/v1/orders', order(999));
    expect(ok.status, ok.text).to.equal(201);
  });
});
