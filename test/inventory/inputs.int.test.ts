// Inventory inputs over HTTP: location codes in any case are one location (HN-01 = hn-01) in every
// entry point, and a refused delta says what is wrong. The rule itself: location-code.unit.test.ts.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { newCustomer, orderReaches, placeOrder } from '../support/oms.ts';

describe('Inventory inputs over HTTP', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;

  before(async () => {
    app = await startTestApp();
    api = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => app?.stop());

  it('location codes as people write them (HN-01) are accepted and are one location with hn-01: adjustments, counts, filters, shipments', async () => {
    const sku = 'LOC-CASE-1';
    const first = await api.post('/v1/inventory/adjustments', { sku, location: 'HN-01', delta: 5, reason: 'received' });
    expect(first.status, first.text).to.equal(201);
    expect(first.body).to.include({ location: 'hn-01', onHand: 5, version: 1 });
    const second = await api.post('/v1/inventory/adjustments', {
      sku,
      location: 'hn-01',
      delta: 2,
      reason: 'received',
    });
    expect(second.body).to.include({ location: 'hn-01', onHand: 7, version: 2 });
    const counted = await api.put(`/v1/inventory/${sku}/locations/Hn-01`, { onHand: 6, reason: 'cycle_count' });
    expect(counted.status, counted.text).to.equal(200);
    expect(counted.body).to.include({ location: 'hn-01', onHand: 6, version: 3 });

    const seen = { 'Oms-Min-Position': counted.headers.get('oms-position')! };
    const levels = await api.get(`/v1/inventory/${sku}`, seen);
    expect(levels.body.locations.map((l: { location: string }) => l.location)).to.deep.equal(['hn-01']);
    for (const filter of ['HN-01', 'hn-01']) {
      const list = await api.get(`/v1/inventory?sku=${sku}&location=${filter}`, seen);
      expect(list.status, list.text).to.equal(200);
      expect(list.body.data.map((l: { location: string; onHand: number }) => [l.location, l.onHand])).to.deep.equal([
        ['hn-01', 6],
      ]);
      const moves = await api.get(`/v1/inventory/${sku}/movements?location=${filter}`, seen);
      expect(moves.status, moves.text).to.equal(200);
      expect(moves.body.data).to.have.length(3);
    }

    // shipments name the location in any case too
    const order = await placeOrder(api, await newCustomer(api), [{ sku, quantity: 2 }]);
    await orderReaches(api, order.id, ['confirmed']);
    const shipped = await api.post(`/v1/orders/${order.id}/shipments`, {
      lines: [{ sku, quantity: 2 }],
      carrier: 'dhl',
      location: 'HN-01',
    });
    expect(shipped.status, shipped.text).to.equal(201);
    expect(shipped.body.location).to.equal('hn-01');
    const after = await api.get(`/v1/inventory/${sku}`, { 'Oms-Min-Position': shipped.headers.get('oms-position')! });
    expect(after.body.locations).to.have.length(1);
    expect(after.body.locations[0]).to.include({ location: 'hn-01', onHand: 4, reserved: 0 });
  });

  it('codes outside the rule are still refused (400 on bodies and filters, 404 on paths)', async () => {
    for (const location of ['Main Hall', 'hn@01', '-hn', 'Ä1']) {
      expectProblem(
        await api.post('/v1/inventory/adjustments', { sku: 'LOC-BAD', location, delta: 1, reason: 'received' }),
        400,
        'validation_failed',
      );
      expectProblem(await api.get(`/v1/inventory?location=${encodeURIComponent(location)}`), 400, 'validation_failed');
    }
    expectProblem(
      await api.put('/v1/inventory/LOC-BAD/locations/hn@01', { onHand: 1, reason: 'cycle_count' }),
      404,
      'location_not_found',
    );
  });

  it('delta 0 → 400 validation_failed saying "must not be 0", nothing appended', async () => {
    const before = await app.db.pool.query('select count(*)::int as n from es_events');
    const res = await api.post('/v1/inventory/adjustments', { sku: 'ZERO-1', delta: 0, reason: 'correction' });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors).to.deep.equal([{ path: '/delta', message: 'must not be 0' }]);
    const after = await app.db.pool.query('select count(*)::int as n from es_events');
    expect(after.rows[0].n).to.equal(before.rows[0].n);
  });

  it('a reason against the sign of the delta (damaged +5, received -1) → 422 reason_sign_mismatch, nothing appended', async () => {
    const sku = 'SIGN-1';
    expect((await api.post('/v1/inventory/adjustments', { sku, delta: 10, reason: 'received' })).status).to.equal(201);
    const before = await app.db.pool.query('select count(*)::int as n from es_events');
    const cases = [
      { delta: 5, reason: 'damaged', expected: 'negative' },
      { delta: 1, reason: 'lost', expected: 'negative' },
      { delta: -1, reason: 'received', expected: 'positive' },
      { delta: -1, reason: 'returned', expected: 'positive' },
      { delta: -1, reason: 'found', expected: 'positive' },
    ];
    for (const c of cases) {
      const res = await api.post('/v1/inventory/adjustments', { sku, delta: c.delta, reason: c.reason });
      expectProblem(res, 422, 'reason_sign_mismatch');
      expect(res.body).to.include(c);
    }
    const after = await app.db.pool.query('select count(*)::int as n from es_events');
    expect(after.rows[0].n).to.equal(before.rows[0].n);
    // A correction goes either way.
    const down = await api.post('/v1/inventory/adjustments', { sku, delta: -2, reason: 'correction' });
    expect(down.body, down.text).to.include({ onHand: 8 });
    const up = await api.post('/v1/inventory/adjustments', { sku, delta: 1, reason: 'correction' });
    expect(up.body, up.text).to.include({ onHand: 9 });
  });
});
