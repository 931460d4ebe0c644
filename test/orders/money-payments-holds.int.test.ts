import { expect } from 'chai';
import { recordRefund } from '../../src/orders/commands.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem, type Res } from '../support/http.ts';
import { address, adjust, newCustomer, orderReaches } from '../support/oms.ts';
import { waitFor } from '../support/wait.ts';

// Order money (discount, tax, shipping → totals), payments, refunds and holds over HTTP: every
// status code, the read model, version reads, and that a refused command appends nothing.

describe('Orders over HTTP: money, payments, refunds, holds', function () {
  this.timeout(120_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let tenant: string;
  let customerId: string;
  let sku = 0;

  before(async () => {
    app = await startTestApp();
    const k = await app.key(['*']);
    tenant = k.tenant;
    api = client(app.baseUrl, k.key);
    customerId = await newCustomer(api);
  });
  after(async () => app?.stop());

  /** Events the test's own requests wrote (allocation appends in the background as system:…). */
  const eventCount = async () =>
    (
      await app.db.pool.query(
        `select count(*)::int as n from es_events where tenant = $1 and metadata->>'actor' not like 'system:%'`,
        [tenant],
      )
    ).rows[0].n;
  /** The orders read model at (at least) this version of the order. */
  const readModel = async (id: string, version: number) =>
    (
      await waitFor(
        () => api.get(`/v1/orders/${id}`),
        (r) => r.status === 200 && r.body.version >= version,
        { what: `order ${id} at version ${version} in the read model` },
      )
    ).body;
  const etag = (r: Res) => Number(JSON.parse(r.headers.get('etag')!));
  /** Asserts the refusal and that nothing was appended. */
  async function refused(call: () => Promise<Res>, status: number, code: string) {
    const before = await eventCount();
    expectProblem(await call(), status, code);
    expect(await eventCount()).to.equal(before);
  }

  // 2 × 1000 − 300 + 170, 1 × 500 + 100, shipping 450 → 2920.
  const moneyOrder = (s: string, extra: object = {}) => ({
    customerId,
    currency: 'EUR',
    lines: [
      { sku: `${s}-A`, quantity: 2, unitPrice: 1000, discount: 300, tax: 170 },
      { sku: `${s}-B`, quantity: 1, unitPrice: 500, tax: 100 },
    ],
    shipping: { amount: 450, method: 'express' },
    shippingAddress: address,
    ...extra,
  });
  async function place(extra: object = {}) {
    const s = `MNY-${++sku}`;
    const res = await api.post('/v1/orders', moneyOrder(s, extra));
    expect(res.status, res.text).to.equal(201);
    return { ...res.body, sku: s };
  }

  describe('POST/PATCH /v1/orders with discount, tax, shipping', () => {
    it('201: totals are exact and the read model, the list and version reads show them', async () => {
      const o = await place();
      const totals = { subtotal: 2500, discount: 300, tax: 270, shipping: 450, total: 2920, refunded: 0, quantity: 3 };
      expect(o.totals).to.deep.equal(totals);
      expect(o.shipping).to.deep.equal({ amount: 450, method: 'express' });
      expect(o.lines[0]).to.include({ lineTotal: 2000, discount: 300, tax: 170 });
      expect(o.lines[1]).to.include({ discount: 0, tax: 100 });
      expect(o).to.include({ paymentStatus: 'unpaid', onHold: false });
      expect(o.payments).to.deep.equal([]);
      const read = await readModel(o.id, 1);
      expect(read.totals).to.deep.equal(totals);
      // A list reads the read model only (a GET by id may fold the stream while the model lags).
      const list = await waitFor(
        () => api.get(`/v1/orders?customerId=${customerId}&limit=200`),
        (r) => r.body.data.some((x: { id: string }) => x.id === o.id),
        { what: 'the order in the list' },
      );
      expect(list.body.data.find((x: { id: string }) => x.id === o.id).totals).to.deep.equal(totals);
      const v1 = await api.get(`/v1/orders/${o.id}?version=1`);
      expect(v1.body.totals).to.deep.equal(totals);
    });

    it('an order without the new fields: every amount is 0 and shipping is null', async () => {
      const res = await api.post('/v1/orders', {
        customerId,
        currency: 'EUR',
        lines: [{ sku: 'MNY-PLAIN', quantity: 3, unitPrice: 999 }],
        shippingAddress: address,
      });
      expect(res.status).to.equal(201);
      expect(res.body.totals).to.deep.equal({
        subtotal: 2997,
        discount: 0,
        tax: 0,
        shipping: 0,
        total: 2997,
        refunded: 0,
        quantity: 3,
      });
      expect(res.body.shipping).to.deep.equal({ amount: 0, method: null });
    });

    it('422 discount_exceeds_line_total (POST and PATCH), 400 for negative or fractional amounts', async () => {
      await refused(
        () =>
          api.post('/v1/orders', {
            ...moneyOrder('MNY-X'),
            lines: [{ sku: 'MNY-X', quantity: 2, unitPrice: 1000, discount: 2001 }],
          }),
        422,
        'discount_exceeds_line_total',
      );
      const o = await place();
      await refused(
        () => api.patch(`/v1/orders/${o.id}`, { lines: [{ sku: 'MNY-X', quantity: 1, unitPrice: 10, discount: 11 }] }),
        422,
        'discount_exceeds_line_total',
      );
      for (const body of [
        moneyOrder('MNY-Y', { lines: [{ sku: 'MNY-Y', quantity: 1, unitPrice: 10, discount: -1 }] }),
        moneyOrder('MNY-Y', { lines: [{ sku: 'MNY-Y', quantity: 1, unitPrice: 10, tax: 1.5 }] }),
        moneyOrder('MNY-Y', { shipping: { method: 'express' } }),
        moneyOrder('MNY-Y', { shipping: { amount: -5 } }),
        moneyOrder('MNY-Y', { shipping: { amount: 5, carrier: 'x' } }),
      ])
        await refused(() => api.post('/v1/orders', body), 400, 'validation_failed');
    });

    it('PATCH shipping: 200 with the new total; below what was captured: 409 total_below_captured', async () => {
      const o = await place();
      const patched = await api.patch(`/v1/orders/${o.id}`, { shipping: { amount: 0 } });
      expect(patched.status, patched.text).to.equal(200);
      expect(patched.body.totals.total).to.equal(2470);
      expect(patched.body.shipping).to.deep.equal({ amount: 0, method: null });
      const paid = await api.post(`/v1/orders/${o.id}/payments`, { type: 'captured', amount: 2470, reference: 'ch_1' });
      expect(paid.status, paid.text).to.equal(201);
      await refused(
        () => api.patch(`/v1/orders/${o.id}`, { lines: [{ sku: `${o.sku}-A`, quantity: 1, unitPrice: 1000 }] }),
        409,
        'total_below_captured',
      );
    });
  });

  describe('POST /v1/orders/:id/payments', () => {
    it('201 authorized → captured in two parts → paid; the order and its read model follow', async () => {
      const o = await place();
      const auth = await api.post(`/v1/orders/${o.id}/payments`, {
        type: 'authorized',
        amount: 2920,
        reference: 'pi_3Nk',
      });
      expect(auth.status, auth.text).to.equal(201);
      expect(auth.body).to.include({ orderId: o.id, type: 'authorized', amount: 2920, reference: 'pi_3Nk' });
      expect(auth.body.id).to.match(/^pay_[0-9a-z]{26}$/);
      expect(auth.body.paymentStatus).to.equal('authorized');
      // (Allocation may append to the order in between: versions come from the answers.)
      expect(etag(auth)).to.be.at.least(2);
      const part = await api.post(`/v1/orders/${o.id}/payments`, { type: 'captured', amount: 920, reference: 'ch_a' });
      expect(part.body.paymentStatus).to.equal('authorized');
      const rest = await api.post(`/v1/orders/${o.id}/payments`, { type: 'captured', amount: 2000, reference: 'ch_b' });
      expect(rest.status, rest.text).to.equal(201);
      expect(rest.body.paymentStatus).to.equal('paid');
      const read = await readModel(o.id, etag(rest));
      expect(read.paymentStatus).to.equal('paid');
      expect(read.payments.map((p: { type: string; amount: number }) => [p.type, p.amount])).to.deep.equal([
        ['authorized', 2920],
        ['captured', 920],
        ['captured', 2000],
      ]);
      const asOfAuth = await api.get(`/v1/orders/${o.id}?version=${etag(auth)}`);
      expect(asOfAuth.body.paymentStatus).to.equal('authorized');
    });

    it('409 capture_exceeds_total (cumulative), void_after_capture, void_exceeds_authorized, payment_already_recorded', async () => {
      const o = await place();
      const pay = (body: object) => () => api.post(`/v1/orders/${o.id}/payments`, body);
      await refused(pay({ type: 'voided', amount: 1, reference: 'v_0' }), 409, 'void_exceeds_authorized');
      expect((await pay({ type: 'authorized', amount: 2920, reference: 'a_1' })()).status).to.equal(201);
      await refused(pay({ type: 'authorized', amount: 5, reference: 'a_1' }), 409, 'payment_already_recorded');
      await refused(pay({ type: 'voided', amount: 2921, reference: 'v_1' }), 409, 'void_exceeds_authorized');
      expect((await pay({ type: 'captured', amount: 2000, reference: 'c_1' })()).status).to.equal(201);
      await refused(pay({ type: 'captured', amount: 921, reference: 'c_2' }), 409, 'capture_exceeds_total');
      await refused(pay({ type: 'voided', amount: 920, reference: 'v_2' }), 409, 'void_after_capture');
    });

    it('201 voided → voided', async () => {
      const o = await place();
      await api.post(`/v1/orders/${o.id}/payments`, { type: 'authorized', amount: 2920, reference: 'a' });
      const v = await api.post(`/v1/orders/${o.id}/payments`, { type: 'voided', amount: 2920, reference: 'v' });
      expect(v.status).to.equal(201);
      expect(v.body.paymentStatus).to.equal('voided');
    });

    it('409 order_already_cancelled for a capture on a cancelled order', async () => {
      const o = await place();
      expect((await api.post(`/v1/orders/${o.id}/cancel`, { reason: 'changed mind' })).status).to.equal(200);
      await refused(
        () => api.post(`/v1/orders/${o.id}/payments`, { type: 'captured', amount: 1, reference: 'c' }),
        409,
        'order_already_cancelled',
      );
    });

    it('400 bad bodies, 422 card data, 404 unknown order, 403 without orders:write, 401 without a key', async () => {
      const o = await place();
      for (const body of [
        { type: 'refunded', amount: 1, reference: 'x' },
        { type: 'captured', amount: 0, reference: 'x' },
        { type: 'captured', amount: 1.5, reference: 'x' },
        { type: 'captured', amount: 1, reference: '' },
        { type: 'captured', amount: 1 },
        { type: 'captured', amount: 1, reference: 'x', card: 'no' },
      ])
        await refused(() => api.post(`/v1/orders/${o.id}/payments`, body), 400, 'validation_failed');
      await refused(
        () =>
          api.post(`/v1/orders/${o.id}/payments`, { type: 'captured', amount: 1, reference: '4111 1111 1111 1111' }),
        422,
        'card_data_not_allowed',
      );
      await refused(
        () =>
          api.post('/v1/orders/ord_00000000000000000000000000/payments', {
            type: 'captured',
            amount: 1,
            reference: 'x',
          }),
        404,
        'order_not_found',
      );
      const reader = client(app.baseUrl, (await app.key(['orders:read'], tenant)).key);
      await refused(
        () => reader.post(`/v1/orders/${o.id}/payments`, { type: 'captured', amount: 1, reference: 'x' }),
        403,
        'insufficient_scope',
      );
      const anonymous = client(app.baseUrl);
      const res = await anonymous.post(`/v1/orders/${o.id}/payments`, { type: 'captured', amount: 1, reference: 'x' });
      expect(res.status).to.equal(401);
    });

    it('a retry with the same Idempotency-Key records the payment once', async () => {
      const o = await place();
      const body = { type: 'captured', amount: 100, reference: 'c_idem' };
      const first = await api.post(`/v1/orders/${o.id}/payments`, body, { 'Idempotency-Key': `pay-${o.id}` });
      const again = await api.post(`/v1/orders/${o.id}/payments`, body, { 'Idempotency-Key': `pay-${o.id}` });
      expect(first.status).to.equal(201);
      expect(again.status).to.equal(201);
      expect(again.body.id).to.equal(first.body.id);
      // Counted by type: allocation may append to the order meanwhile (it runs beside the test).
      const events = (await api.get(`/v1/orders/${o.id}/events?limit=200`)).body.data as { type: string }[];
      expect(events.filter((e) => e.type === 'OrderPaymentRecorded')).to.have.length(1);
    });
  });

  describe('refunds (the RecordRefund command returns use)', () => {
    const ctx = () => ({
      tenant,
      actor: 'test',
      correlationId: 'c',
      causationId: null,
      now: new Date().toISOString(),
    });
    const deps = () => ({ store: app.runtime.services.store, emailHashKey: '' });

    it('partial then full refund → partially_refunded, refunded; totals.refunded follows; beyond captured is 409', async () => {
      const o = await place();
      await api.post(`/v1/orders/${o.id}/payments`, { type: 'captured', amount: 2920, reference: 'c' });
      const r1 = await recordRefund(deps(), ctx(), {
        orderId: o.id,
        refundId: 'rfd_1',
        returnId: 'ret_1',
        amount: 1000,
        reference: 're_1',
      });
      expect(r1.order.paymentStatus).to.equal('partially_refunded');
      expect(r1.order.totals.refunded).to.equal(1000);
      // The same refund again (a retried job): nothing new.
      const again = await recordRefund(deps(), ctx(), {
        orderId: o.id,
        refundId: 'rfd_1',
        returnId: 'ret_1',
        amount: 1000,
        reference: 're_1',
      });
      expect(again.order.refunds).to.deep.equal(r1.order.refunds);
      const refundEvents = await app.db.pool.query(
        `select count(*)::int as n from es_events where event_type = 'RefundRecorded' and stream_name like '%' || $1`,
        [o.id],
      );
      expect(refundEvents.rows[0].n).to.equal(1);
      let caught: { code?: string } = {};
      try {
        await recordRefund(deps(), ctx(), { orderId: o.id, refundId: 'rfd_2', amount: 1921, reference: 're_2' });
      } catch (err) {
        caught = err as { code?: string };
      }
      expect(caught.code).to.equal('refund_exceeds_captured');
      const r2 = await recordRefund(deps(), ctx(), {
        orderId: o.id,
        refundId: 'rfd_2',
        amount: 1920,
        reference: 're_2',
      });
      expect(r2.order.paymentStatus).to.equal('refunded');
      const read = await readModel(o.id, r2.order.version);
      expect(read.totals.refunded).to.equal(2920);
      expect(read.refunds).to.deep.equal([
        {
          id: 'rfd_1',
          returnId: 'ret_1',
          amount: 1000,
          reference: 're_1',
          recordedAt: r1.order.refunds[0]!.recordedAt,
        },
        { id: 'rfd_2', returnId: null, amount: 1920, reference: 're_2', recordedAt: r2.order.refunds[1]!.recordedAt },
      ]);
    });
  });

  describe('holds', () => {
    it('201 hold → shipments 409 order_on_hold (stock stays reserved) → 200 release → shipment 201', async () => {
      const o = await place();
      await adjust(api, `${o.sku}-A`, 5);
      await adjust(api, `${o.sku}-B`, 5);
      await orderReaches(api, o.id, ['confirmed']);
      const hold = await api.post(`/v1/orders/${o.id}/holds`, { reason: 'fraud_review', note: 'velocity check' });
      expect(hold.status, hold.text).to.equal(201);
      expect(hold.body.id).to.match(/^hld_[0-9a-z]{26}$/);
      expect(hold.body).to.include({
        orderId: o.id,
        reason: 'fraud_review',
        note: 'velocity check',
        status: 'open',
        releasedAt: null,
        onHold: true,
      });
      const shipment = {
        lines: [
          { sku: `${o.sku}-A`, quantity: 2 },
          { sku: `${o.sku}-B`, quantity: 1 },
        ],
        carrier: 'dhl',
      };
      await refused(() => api.post(`/v1/orders/${o.id}/shipments`, shipment), 409, 'order_on_hold');
      const held = await api.get(`/v1/orders/${o.id}`, { 'Oms-Min-Position': hold.headers.get('oms-position')! });
      expect(held.body).to.include({ onHold: true, status: 'confirmed' });
      expect(held.body.allowedActions).to.not.include('ship');
      expect(held.body.lines[0].reserved).to.equal(2);
      expect(held.body.holds).to.have.length(1);

      const release = await api.post(`/v1/orders/${o.id}/holds/${hold.body.id}/release`);
      expect(release.status, release.text).to.equal(200);
      expect(release.body).to.include({ id: hold.body.id, status: 'released', onHold: false });
      expect(release.body.releasedAt).to.be.a('string');
      await refused(() => api.post(`/v1/orders/${o.id}/holds/${hold.body.id}/release`), 409, 'hold_already_released');
      const shipped = await api.post(`/v1/orders/${o.id}/shipments`, shipment);
      expect(shipped.status, shipped.text).to.equal(201);
      const after = await readModel(o.id, etag(release));
      expect(after.holds.map((h: { status: string }) => h.status)).to.deep.equal(['released']);
    });

    it('404 unknown hold or order, 400 bad reason or hold id, 409 on a cancelled order', async () => {
      const o = await place();
      await refused(
        () => api.post(`/v1/orders/${o.id}/holds/hld_00000000000000000000000000/release`),
        404,
        'hold_not_found',
      );
      await refused(
        () => api.post('/v1/orders/ord_00000000000000000000000000/holds', { reason: 'other' }),
        404,
        'order_not_found',
      );
      // A malformed id names no resource at all (the API's convention for path ids).
      await refused(() => api.post(`/v1/orders/${o.id}/holds/nope/release`), 404, 'hold_not_found');
      await refused(() => api.post(`/v1/orders/${o.id}/holds`, { reason: 'bored' }), 400, 'validation_failed');
      await refused(() => api.post(`/v1/orders/${o.id}/holds`, {}), 400, 'validation_failed');
      expect((await api.post(`/v1/orders/${o.id}/cancel`, { reason: 'x' })).status).to.equal(200);
      await refused(() => api.post(`/v1/orders/${o.id}/holds`, { reason: 'other' }), 409, 'order_already_cancelled');
    });

    it('403 without orders:write', async () => {
      const o = await place();
      const reader = client(app.baseUrl, (await app.key(['orders:read'], tenant)).key);
      await refused(() => reader.post(`/v1/orders/${o.id}/holds`, { reason: 'other' }), 403, 'insufficient_scope');
    });
  });
});
