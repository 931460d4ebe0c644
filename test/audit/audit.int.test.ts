import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { adjust, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';

describe('Audit over HTTP: history, time travel and the event feed', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let keyId: string;

  before(async () => {
    app = await startTestApp();
    const k = await app.key(['*']);
    keyId = k.id;
    api = client(app.baseUrl, k.key);
  });
  after(async () => app?.stop());

  it("lists a customer's events in order with actor, correlation id and idempotency key", async () => {
    const c = await api.post(
      '/v1/customers',
      { email: 'hist@example.com', name: 'First' },
      { 'Idempotency-Key': 'hist-1', 'X-Request-Id': 'req-hist-1' },
    );
    await api.patch(`/v1/customers/${c.body.id}`, { name: 'Second' }, { 'X-Request-Id': 'req-hist-2' });
    const res = await api.get(`/v1/customers/${c.body.id}/events`);
    expect(res.status).to.equal(200);
    expect(res.body.data.map((e: { type: string; revision: number }) => [e.type, e.revision])).to.deep.equal([
      ['CustomerRegistered', 1],
      ['CustomerUpdated', 2],
    ]);
    expect(res.body.data[0].metadata).to.deep.equal({
      actor: keyId,
      correlationId: 'req-hist-1',
      causationId: null,
      idempotencyKey: 'hist-1',
      schemaVersion: 1,
    });
    expect(res.body.data[1].metadata).to.deep.equal({
      actor: keyId,
      correlationId: 'req-hist-2',
      causationId: null,
      schemaVersion: 1,
    });
    expect(res.body.data[1].data.pii).to.deep.equal({ name: 'Second' });
    expectProblem(await api.get('/v1/customers/cus_00000000000000000000000000/events'), 404, 'customer_not_found');
  });

  it('time travel: ?version and ?asOf fold the stream; before it existed → 404', async () => {
    const before = new Date(Date.now() - 60_000).toISOString();
    const c = await api.post('/v1/customers', { email: 'travel@example.com', name: 'V1' });
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5)); // the next event must be recorded after `between`
    await api.patch(`/v1/customers/${c.body.id}`, { name: 'V2' });
    const v1 = await api.get(`/v1/customers/${c.body.id}?version=1`);
    expect(v1.body).to.include({ name: 'V1', version: 1 });
    const v2 = await api.get(`/v1/customers/${c.body.id}?version=2`);
    expect(v2.body).to.include({ name: 'V2', version: 2 });
    const atBetween = await api.get(`/v1/customers/${c.body.id}?asOf=${encodeURIComponent(between)}`);
    expect(atBetween.body).to.include({ name: 'V1', version: 1 });
    expectProblem(
      await api.get(`/v1/customers/${c.body.id}?asOf=${encodeURIComponent(before)}`),
      404,
      'customer_not_found',
    );
    expectProblem(await api.get(`/v1/customers/${c.body.id}?asOf=yesterday`), 400, 'validation_failed');
  });

  it('time travel: ?version past the latest version → 404 for customers, orders and shipments', async () => {
    const customerId = await newCustomer(api);
    await adjust(api, 'AUDIT-V', 1);
    const o = await placeOrder(api, customerId, [{ sku: 'AUDIT-V', quantity: 1 }]);
    await orderReaches(api, o.id, ['confirmed']);
    const s = await api.post(`/v1/orders/${o.id}/shipments`, {
      lines: [{ sku: 'AUDIT-V', quantity: 1 }],
      carrier: 'dhl',
    });
    expect(s.status, s.text).to.equal(201);
    for (const path of [`/v1/customers/${customerId}`, `/v1/orders/${o.id}`, `/v1/shipments/${s.body.id}`]) {
      const latest = (await api.get(`${path}/events`)).body.data.length as number;
      const atLatest = await api.get(`${path}?version=${latest}`);
      expect(atLatest.status, `${path} at its latest version`).to.equal(200);
      expect(atLatest.body.version).to.equal(latest);
      const code = `${path.split('/')[2]!.replace(/s$/, '')}_not_found`; // /v1/orders/… → order_not_found
      expectProblem(await api.get(`${path}?version=${latest + 1}`), 404, code);
      expectProblem(await api.get(`${path}?version=999999`), 404, code);
    }
  });

  it('the feed pages every event of the tenant exactly once, in log order, while writes run', async () => {
    const k = await app.key(['*']);
    const mine = client(app.baseUrl, k.key);
    const other = client(app.baseUrl, (await app.key(['*'])).key);
    const writers = Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; i < 10; i++) {
          const c = await mine.post('/v1/customers', { email: `feed${w}-${i}@example.com`, name: `W${w}` });
          if (i % 3 === 0) await mine.patch(`/v1/customers/${c.body.id}`, { name: `W${w} renamed` });
          await other.post('/v1/customers', { email: `noise${w}-${i}@example.com`, name: 'noise' });
        }
      }),
    );
    const seen: { id: string; position: string; type: string }[] = [];
    let cursor: string | null = null;
    let done = false;
    void writers.then(() => (done = true));
    // Read the feed in small pages while the writers run, then until all 84 events were seen
    // (an event becomes visible once every older transaction has ended; that can lag a moment).
    const deadline = Date.now() + 20_000;
    while (!(done && seen.length >= 84) && Date.now() < deadline) {
      const res: { status: number; body: any } = await mine.get(
        `/v1/events?limit=7${cursor ? `&after=${cursor}` : ''}`,
      );
      expect(res.status).to.equal(200);
      seen.push(...res.body.data);
      cursor = res.body.nextCursor ?? cursor;
    }
    await writers;
    const tail = await mine.get(`/v1/events?limit=200&after=${cursor}`);
    expect(tail.body.data, 'nothing beyond the 84 events').to.have.length(0);
    const registered = seen.filter((e) => e.type === 'CustomerRegistered').length;
    const updated = seen.filter((e) => e.type === 'CustomerUpdated').length;
    expect(registered).to.equal(60);
    expect(updated).to.equal(24);
    expect(new Set(seen.map((e) => e.id)).size).to.equal(seen.length);
    const positions = seen.map((e) => e.position.split('-').map(BigInt));
    for (let i = 1; i < positions.length; i++) {
      const [a, b] = [positions[i - 1]!, positions[i]!];
      expect(a[0]! < b[0]! || (a[0] === b[0] && a[1]! < b[1]!), 'strictly increasing positions').to.equal(true);
    }
    const onlyUpdates = await mine.get('/v1/events?types=CustomerUpdated&limit=200');
    expect(onlyUpdates.body.data).to.have.length(24);
    expect(onlyUpdates.body.data.every((e: { type: string }) => e.type === 'CustomerUpdated')).to.equal(true);
  });

  it('the feed needs events:read and refuses a bad cursor', async () => {
    const reader = client(app.baseUrl, (await app.key(['customers:read'])).key);
    expectProblem(await reader.get('/v1/events'), 403, 'insufficient_scope');
    expectProblem(await api.get('/v1/events?after=abc'), 400, 'validation_failed');
  });

  it('the feed refuses an unknown event type with 400 naming it', async () => {
    const res = await api.get('/v1/events?types=CustomerRegistered,Bogus');
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors).to.have.length(1);
    expect(res.body.errors[0].path).to.equal('query:/types');
    expect(res.body.errors[0].message).to.include('Bogus').and.not.include('CustomerRegistered');
    expectProblem(await api.get('/v1/events?types=constructor'), 400, 'validation_failed');
    expect((await api.get('/v1/events?types=CustomerRegistered,UniqueValueClaimed')).status).to.equal(200);
  });
});

describe('Order diff between versions', function () {
  this.timeout(30_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app?.stop());

  it('lists the fields that changed and the events in between', async () => {
    const api = client(app.baseUrl, (await app.key(['*'])).key);
    const c = await api.post('/v1/customers', { email: 'diff@example.com', name: 'Diff' });
    const o = await api.post('/v1/orders', {
      customerId: c.body.id,
      currency: 'EUR',
      lines: [{ sku: 'DIFF-1', quantity: 1, unitPrice: 100 }],
      shippingAddress: { line1: 'a', city: 'b', country: 'DE' },
    });
    await api.patch(`/v1/orders/${o.body.id}`, { notes: 'leave at the door' });
    const d = await api.get(
      `/v1/orders/${o.body.id}/diff?from=1&to=${(await api.get(`/v1/orders/${o.body.id}/events`)).body.data.length}`,
    );
    expect(d.status, d.text).to.equal(200);
    expect(d.body.changes).to.deep.include({ path: '/notes', from: null, to: 'leave at the door' });
    expect(d.body.events.map((e: { type: string }) => e.type)).to.include('OrderUpdated');
    const fromNothing = await api.get(`/v1/orders/${o.body.id}/diff?from=0&to=1`);
    expect(fromNothing.body.changes).to.deep.equal([{ path: '/', from: null, to: fromNothing.body.changes[0].to }]);
    expectProblem(await api.get(`/v1/orders/${o.body.id}/diff?from=2&to=1`), 400, 'validation_failed');
    expectProblem(await api.get(`/v1/orders/${o.body.id}/diff`), 400, 'validation_failed');
  });
});
