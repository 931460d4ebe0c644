// A request written to the store but never answered (the api died, the connection dropped, a 5xx
// after the append) is retried by the client with the same Idempotency-Key. The retry must find
// what the first attempt wrote and write nothing twice: the ids it makes derive from the key.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { address, newCustomer } from '../support/oms.ts';

describe('Idempotency-Key: a retry after an unanswered write writes nothing twice', function () {
  this.timeout(30_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let tenant: string;

  before(async () => {
    app = await startTestApp();
    const k = await app.key(['*']);
    tenant = k.tenant;
    api = client(app.baseUrl, k.key);
  });
  after(async () => app?.stop());

  /** As if the process died after the append, before the answer was stored: the lease is over. */
  const loseTheAnswer = (key: string) =>
    app.db.pool.query(
      `update idempotency_keys set state = 'running', locked_until = now(), response_status = null, response_body = null, response_headers = null
        where tenant = $1 and key = $2`,
      [tenant, key],
    );
  const count = async (type: string, streamLike: string) =>
    (
      await app.db.pool.query(
        `select count(*)::int as n from es_events where event_type = $1 and stream_name like $2`,
        [type, streamLike],
      )
    ).rows[0].n as number;

  it('place order: the retry answers 201 with the same order id, and there is one order', async () => {
    const customerId = await newCustomer(api);
    const h = { 'Idempotency-Key': `retry-order-${Date.now()}` };
    const order = {
      customerId,
      currency: 'EUR',
      lines: [{ sku: 'RETRY-1', quantity: 1, unitPrice: 100 }],
      shippingAddress: address,
      externalId: `ext-${Date.now()}`,
    };
    const first = await api.post('/v1/orders', order, h);
    expect(first.status, first.text).to.equal(201);
    await loseTheAnswer(h['Idempotency-Key']);

    const retry = await api.post('/v1/orders', order, h);
    expect(retry.status, retry.text).to.equal(201);
    expect(retry.headers.get('idempotent-replayed')).to.equal(null); // it really ran again
    expect(retry.body.id).to.equal(first.body.id);
    expect(retry.body.createdAt).to.equal(first.body.createdAt); // what the first attempt stored
    expect(await count('OrderPlaced', `${tenant}:order:%`)).to.equal(1);
    expect(await count('UniqueValueClaimed', `${tenant}:order-external-id:%`)).to.equal(1);
  });

  it('register customer: same customer id, one registration, the email claim held once', async () => {
    const h = { 'Idempotency-Key': `retry-customer-${Date.now()}` };
    const body = { email: `retry-${Date.now()}@example.com`, name: 'Retry Ready' };
    const first = await api.post('/v1/customers', body, h);
    expect(first.status, first.text).to.equal(201);
    await loseTheAnswer(h['Idempotency-Key']);
    const retry = await api.post('/v1/customers', body, h);
    expect(retry.status, retry.text).to.equal(201);
    expect(retry.body.id).to.equal(first.body.id);
    const registered = await app.db.pool.query(
      `select count(*)::int as n from es_events where event_type = 'CustomerRegistered' and stream_name = $1`,
      [`${tenant}:customer:${first.body.id}`],
    );
    expect(registered.rows[0].n).to.equal(1);
  });

  it('stock adjustment: the delta is applied once, and the retry answers with the level as stored', async () => {
    const h = { 'Idempotency-Key': `retry-adjust-${Date.now()}` };
    const adjustment = { sku: 'RETRY-ADJ', delta: 5, reason: 'received', reference: 'po-1' };
    const first = await api.post('/v1/inventory/adjustments', adjustment, h);
    expect(first.status, first.text).to.be.oneOf([200, 201]);
    await loseTheAnswer(h['Idempotency-Key']);
    const retry = await api.post('/v1/inventory/adjustments', adjustment, h);
    expect(retry.status, retry.text).to.equal(first.status);
    expect(retry.body.onHand).to.equal(5);
    expect(retry.body.version).to.equal(first.body.version);
    expect(await count('StockAdjusted', `${tenant}:inventory:RETRY-ADJ@%`)).to.equal(1);
  });

  it('without a key the same request is a new command each time (what the key is for)', async () => {
    const adjustment = { sku: 'RETRY-NOKEY', delta: 2, reason: 'received' };
    await api.post('/v1/inventory/adjustments', adjustment);
    const second = await api.post('/v1/inventory/adjustments', adjustment);
    expect(second.body.onHand).to.equal(4);
  });

  it('after a fault, the key still belongs to its request: another body is 422', async () => {
    const h = { 'Idempotency-Key': `retry-other-${Date.now()}` };
    expect(
      (await api.post('/v1/inventory/adjustments', { sku: 'RETRY-X', delta: 1, reason: 'received' }, h)).status,
    ).to.be.oneOf([200, 201]);
    await loseTheAnswer(h['Idempotency-Key']);
    expectProblem(
      await api.post('/v1/inventory/adjustments', { sku: 'RETRY-X', delta: 9, reason: 'received' }, h),
      422,
      'idempotency_key_reused',
    );
  });
});
