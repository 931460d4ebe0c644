// POST /v1/orders records a new Idempotency-Key in the order's append (one transaction) instead of
// claiming it first. The contract is the one every POST keeps: the first answer is replayed, a
// key in flight is 409, another body is 422, a refusal is replayed too, and one key places one order.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { address, newCustomer } from '../support/oms.ts';

describe('Idempotency-Key recorded by the append (create-order)', function () {
  this.timeout(30_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let tenant: string;
  let customerId: string;

  before(async () => {
    app = await startTestApp();
    const k = await app.key(['*']);
    tenant = k.tenant;
    api = client(app.baseUrl, k.key);
    customerId = await newCustomer(api);
  });
  after(async () => app?.stop());

  const order = (sku: string, customer = customerId) => ({
    customerId: customer,
    currency: 'EUR',
    lines: [{ sku, quantity: 1, unitPrice: 100 }],
    shippingAddress: address,
  });
  const placed = async (orderId: string) =>
    (
      await app.db.pool.query(
        "select count(*)::int as n from es_events where event_type = 'OrderPlaced' and stream_name = $1",
        [`${tenant}:order:${orderId}`],
      )
    ).rows[0].n as number;
  const allPlaced = async () =>
    (
      await app.db.pool.query(
        "select count(*)::int as n from es_events where event_type = 'OrderPlaced' and stream_name like $1",
        [`${tenant}:order:%`],
      )
    ).rows[0].n as number;
  const record = async (key: string) =>
    (
      await app.db.pool.query(
        `select state, response_status, customer_id, (extract(epoch from created_at) * 1000)::bigint::text as since
           from idempotency_keys where tenant = $1 and key = $2`,
        [tenant, key],
      )
    ).rows[0];

  it('stores the answer in the record the append wrote, and replays it', async () => {
    const h = { 'Idempotency-Key': `ia-replay-${Date.now()}` };
    const first = await api.post('/v1/orders', order('IA-1'), h);
    expect(first.status, first.text).to.equal(201);
    const rec = await record(h['Idempotency-Key']);
    expect(rec).to.include({ state: 'done', response_status: 201, customer_id: customerId });
    const again = await api.post('/v1/orders', order('IA-1'), h);
    expect(again.status).to.equal(201);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect(again.body).to.deep.equal(first.body);
    expect(again.headers.get('etag')).to.equal(first.headers.get('etag'));
    expect(await placed(first.body.id)).to.equal(1);
  });

  it('another body under the key → 422; a refusal is recorded and replayed', async () => {
    const h = { 'Idempotency-Key': `ia-reuse-${Date.now()}` };
    expect((await api.post('/v1/orders', order('IA-2'), h)).status).to.equal(201);
    expectProblem(await api.post('/v1/orders', order('IA-3'), h), 422, 'idempotency_key_reused');

    const r = { 'Idempotency-Key': `ia-refused-${Date.now()}` };
    const unknown = `cus_${'0'.repeat(26)}`;
    const refused = await api.post('/v1/orders', order('IA-4', unknown), r);
    expect(refused.status, refused.text).to.be.within(400, 499);
    expect(await record(r['Idempotency-Key'])).to.include({ state: 'done', response_status: refused.status });
    const replay = await api.post('/v1/orders', order('IA-4', unknown), r);
    expect(replay.status).to.equal(refused.status);
    expect(replay.body).to.deep.equal(refused.body);
    expect(replay.headers.get('idempotent-replayed')).to.equal('true');
  });

  it('a key in flight (recorded, lease live) → 409 idempotency_key_in_use, and nothing is appended', async () => {
    const key = `ia-inflight-${Date.now()}`;
    const before = await allPlaced();
    const first = await api.post('/v1/orders', order('IA-5'), { 'Idempotency-Key': key });
    // As if that request were still running: its record is back to running, lease live.
    await app.db.pool.query(
      `update idempotency_keys set state = 'running', locked_until = now() + interval '60 seconds'
        where tenant = $1 and key = $2`,
      [tenant, key],
    );
    expectProblem(
      await api.post('/v1/orders', order('IA-5'), { 'Idempotency-Key': key }),
      409,
      'idempotency_key_in_use',
    );
    expect(await allPlaced()).to.equal(before + 1);
    expect(await placed(first.body.id)).to.equal(1);
  });

  it('simultaneous requests with one key place one order: the others are 409 in use or a replay', async () => {
    const key = `ia-race-${Date.now()}`;
    const before = await allPlaced();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => api.post('/v1/orders', order('IA-6'), { 'Idempotency-Key': key })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201).length, statuses.join(',')).to.be.at.least(1);
    expect(
      statuses.every((s) => s === 201 || s === 409),
      statuses.join(','),
    ).to.equal(true);
    const ids = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.id));
    expect(ids.size, 'one order id').to.equal(1);
    expect(await allPlaced()).to.equal(before + 1);
  });
});
