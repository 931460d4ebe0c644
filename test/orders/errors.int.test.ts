import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { address, adjust, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';

describe('Orders and inventory over HTTP: every error code', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let customerId: string;

  before(async () => {
    app = await startTestApp();
    api = client(app.baseUrl, (await app.key(['*'])).key);
    customerId = await newCustomer(api);
  });
  after(async () => app?.stop());

  const order = (extra: object = {}) => ({
    customerId,
    currency: 'EUR',
    lines: [{ sku: 'ERR-1', quantity: 1, unitPrice: 1999 }],
    shippingAddress: address,
    ...extra,
  });

  describe('inventory', () => {
    it('an adjustment below zero → 409 insufficient_stock and nothing appended', async () => {
      await adjust(api, 'ERR-INV', 2);
      const before = await app.db.pool.query('select count(*)::int as n from es_events');
      expectProblem(
        await api.post('/v1/inventory/adjustments', { sku: 'ERR-INV', delta: -3, reason: 'lost' }),
        409,
        'insufficient_stock',
      );
      const after = await app.db.pool.query('select count(*)::int as n from es_events');
      expect(after.rows[0].n).to.equal(before.rows[0].n);
    });

    it('bad adjustments and counts → 400 validation_failed', async () => {
      for (const body of [
        { sku: 'X', delta: 0, reason: 'received' },
        { sku: 'X', delta: 1.5, reason: 'received' },
        { sku: 'X', delta: 1, reason: 'stolen' },
        { sku: 'bad sku!', delta: 1, reason: 'received' },
        { sku: 'X', delta: 1, reason: 'received', location: 'Main Hall' },
        { sku: 'X', delta: 1, reason: 'received', extra: true },
      ]) {
        expectProblem(await api.post('/v1/inventory/adjustments', body), 400, 'validation_failed');
      }
      expectProblem(
        await api.put('/v1/inventory/X/locations/default', { onHand: -1, reason: 'cycle_count' }),
        400,
        'validation_failed',
      );
      expectProblem(
        await api.put('/v1/inventory/X/locations/default', { onHand: 1, reason: 'guess' }),
        400,
        'validation_failed',
      );
    });

    it('a count sets the absolute level (200) and honours If-Match (412 when stale)', async () => {
      const res = await api.put('/v1/inventory/ERR-COUNT/locations/default', { onHand: 7, reason: 'cycle_count' });
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.include({ onHand: 7, reserved: 0, available: 7, version: 1 });
      expectProblem(
        await api.put(
          '/v1/inventory/ERR-COUNT/locations/default',
          { onHand: 6, reason: 'cycle_count' },
          { 'If-Match': '"5"' },
        ),
        412,
        'version_mismatch',
      );
    });

    it('an unknown SKU → 404; the ledger lists every change with its reason', async () => {
      expectProblem(await api.get('/v1/inventory/NOPE-404'), 404, 'sku_not_found');
      await adjust(api, 'LEDGER-1', 5);
      await api.post('/v1/inventory/adjustments', {
        sku: 'LEDGER-1',
        delta: -1,
        reason: 'damaged',
        reference: 'rma-9',
      });
      const last = await api.post('/v1/inventory/adjustments', { sku: 'LEDGER-1', delta: 1, reason: 'found' });
      const m = await api.get('/v1/inventory/LEDGER-1/movements', {
        'Oms-Min-Position': last.headers.get('oms-position')!,
      });
      const moves = m.body.data;
      expect(
        moves.map((x: { reason: string; onHandDelta: number; reference: string | null }) => [
          x.reason,
          x.onHandDelta,
          x.reference,
        ]),
      ).to.deep.equal([
        ['found', 1, null],
        ['damaged', -1, 'rma-9'],
        ['received', 5, null],
      ]);
    });
  });

  describe('orders', () => {
    it('an unknown customer → 422 customer_not_found', async () => {
      expectProblem(
        await api.post('/v1/orders', order({ customerId: 'cus_00000000000000000000000000' })),
        422,
        'customer_not_found',
      );
    });

    it("another tenant's customer → 422 customer_not_found", async () => {
      const other = client(app.baseUrl, (await app.key(['*'])).key);
      expectProblem(await other.post('/v1/orders', order()), 422, 'customer_not_found');
    });

    it('a duplicate externalId → 409 order_external_id_taken, even for concurrent requests', async () => {
      const ext = `ext-${Date.now()}`;
      const results = await Promise.all(
        Array.from({ length: 6 }, () => api.post('/v1/orders', order({ externalId: ext }))),
      );
      expect(results.filter((r) => r.status === 201)).to.have.length(1);
      for (const r of results.filter((x) => x.status !== 201)) expectProblem(r, 409, 'order_external_id_taken');
    });

    it('schema violations → 400 (no lines, zero quantity, negative price, bad currency, duplicate SKU is 422)', async () => {
      expectProblem(await api.post('/v1/orders', order({ lines: [] })), 400, 'validation_failed');
      expectProblem(
        await api.post('/v1/orders', order({ lines: [{ sku: 'A', quantity: 0, unitPrice: 1 }] })),
        400,
        'validation_failed',
      );
      expectProblem(
        await api.post('/v1/orders', order({ lines: [{ sku: 'A', quantity: 1, unitPrice: -1 }] })),
        400,
        'validation_failed',
      );
      expectProblem(await api.post('/v1/orders', order({ currency: 'euro' })), 400, 'validation_failed');
      expectProblem(await api.post('/v1/orders', order({ status: 'shipped' })), 400, 'validation_failed');
      const dup = [
        { sku: 'A', quantity: 1, unitPrice: 1 },
        { sku: 'A', quantity: 2, unitPrice: 1 },
      ];
      expectProblem(await api.post('/v1/orders', order({ lines: dup })), 422, 'duplicate_line_sku');
    });

    it('cancel twice → 409 order_already_cancelled; editing a cancelled order → 409 order_already_cancelled', async () => {
      const o = await placeOrder(api, customerId, [{ sku: 'ERR-1', quantity: 1 }]);
      expect((await api.post(`/v1/orders/${o.id}/cancel`, { reason: 'test' })).status).to.equal(200);
      expectProblem(await api.post(`/v1/orders/${o.id}/cancel`, { reason: 'again' }), 409, 'order_already_cancelled');
      expectProblem(await api.patch(`/v1/orders/${o.id}`, { notes: 'late' }), 409, 'order_already_cancelled');
      expectProblem(await api.post(`/v1/orders/${o.id}/cancel`, {}), 400, 'validation_failed');
    });

    it("a new shipping address on a forgotten customer's order → 409 customer_forgotten, nothing appended (was a 500)", async () => {
      const cus = await newCustomer(api);
      const o = await placeOrder(api, cus, [{ sku: 'ERR-1', quantity: 1 }]);
      await orderReaches(api, o.id, ['confirmed', 'backordered']); // allocation has appended what it will
      expect((await api.delete(`/v1/customers/${cus}/personal-data`)).status).to.be.below(300);
      const orderEvents = () =>
        app.db.pool.query('select count(*)::int as n from es_events where stream_name like $1', [`%:order:${o.id}`]);
      const before = await orderEvents();
      const res = await api.patch(`/v1/orders/${o.id}`, { shippingAddress: { ...address, line1: '2 Quay' } });
      expectProblem(res, 409, 'customer_forgotten');
      const after = await orderEvents();
      expect(after.rows[0].n).to.equal(before.rows[0].n);
      // Notes are personal data too (encrypted under the customer's key); what holds none can still change.
      expectProblem(await api.patch(`/v1/orders/${o.id}`, { notes: 'leave at dock 4' }), 409, 'customer_forgotten');
      expect((await api.post(`/v1/orders/${o.id}/cancel`, { reason: 'customer left' })).status).to.equal(200);
    });

    it('a stale If-Match → 412 version_mismatch; an unknown order → 404', async () => {
      const o = await placeOrder(api, customerId, [{ sku: 'ERR-1', quantity: 1 }]);
      expectProblem(
        await api.patch(`/v1/orders/${o.id}`, { notes: 'x' }, { 'If-Match': '"99"' }),
        412,
        'version_mismatch',
      );
      expectProblem(await api.get('/v1/orders/ord_00000000000000000000000000'), 404, 'order_not_found');
      expectProblem(
        await api.patch('/v1/orders/ord_00000000000000000000000000', { notes: 'x' }),
        404,
        'order_not_found',
      );
      expectProblem(
        await api.post('/v1/orders/ord_00000000000000000000000000/cancel', { reason: 'x' }),
        404,
        'order_not_found',
      );
    });

    it('shows allowedActions and totals, lists by status/customer/externalId newest first, with time travel', async () => {
      await adjust(api, 'LIST-1', 10);
      const c2 = await newCustomer(api);
      const a = await placeOrder(api, c2, [{ sku: 'LIST-1', quantity: 2, unitPrice: 1250 }], { externalId: 'list-a' });
      const b = await placeOrder(api, c2, [{ sku: 'LIST-1', quantity: 1, unitPrice: 100 }]);
      const confirmedA = await orderReaches(api, a.id, ['confirmed']);
      expect(confirmedA.allowedActions).to.deep.equal(['update', 'cancel', 'ship']);
      expect(confirmedA.totals).to.deep.equal({
        subtotal: 2500,
        discount: 0,
        tax: 0,
        shipping: 0,
        total: 2500,
        refunded: 0,
        quantity: 2,
      });
      await orderReaches(api, b.id, ['confirmed']);
      const byCustomer = await api.get(`/v1/orders?customerId=${c2}`);
      expect(byCustomer.body.data.map((o: { id: string }) => o.id)).to.deep.equal([b.id, a.id]);
      const byExt = await api.get('/v1/orders?externalId=list-a');
      expect(byExt.body.data.map((o: { id: string }) => o.id)).to.deep.equal([a.id]);
      const byStatus = await api.get(`/v1/orders?status=confirmed&customerId=${c2}&limit=1`);
      expect(byStatus.body.data).to.have.length(1);
      expect(byStatus.body.nextCursor).to.be.a('string');
      const v1 = await api.get(`/v1/orders/${a.id}?version=1`);
      expect(v1.body).to.include({ status: 'pending', version: 1 });
      const history = await api.get(`/v1/orders/${a.id}/events`);
      expect(history.body.data.map((e: { type: string }) => e.type)).to.deep.equal([
        'OrderPlaced',
        'OrderAllocationRecorded',
        'OrderConfirmed',
      ]);
      expect(history.body.data[1].metadata.actor).to.equal('system:allocator');
      expect(history.body.data[1].metadata.causationId).to.equal(history.body.data[0].id);
      expectProblem(await api.get('/v1/orders?status=lost'), 400, 'validation_failed');
    });
  });
});
