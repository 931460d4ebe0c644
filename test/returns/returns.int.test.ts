// Returns over HTTP: every status code of every endpoint, the returnable check under concurrency,
// stock coming back (resellable on hand and serving a backorder, damaged never available), the
// order's returned statuses, lists with keyset paging, time travel and analytics.returns.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { adjust, level, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';
import { walk } from '../support/paging.ts';
import { quiescent } from '../support/quiescence.ts';
import { waitFor } from '../support/wait.ts';
import { verifyProjection } from '../../src/projector/rebuild.ts';

describe('Returns over HTTP: request, approve, reject, receive, refund', function () {
  this.timeout(120_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let customerId: string;
  let sku = 0;

  before(async () => {
    app = await startTestApp();
    api = client(app.baseUrl, (await app.key(['*'])).key);
    customerId = await newCustomer(api);
  });
  after(async () => app?.stop());

  const newSku = () => `RET-${Date.now() % 100000}-${sku++}`;
  const ship = async (orderId: string, lines: { sku: string; quantity: number }[]) => {
    const res = await api.post(`/v1/orders/${orderId}/shipments`, { lines, carrier: 'dhl' });
    expect(res.status, res.text).to.equal(201);
  };
  const request = (orderId: string, lines: { sku: string; quantity: number; reason?: string }[], extra = {}) =>
    api.post(`/v1/orders/${orderId}/returns`, {
      lines: lines.map((l) => ({ reason: 'unwanted', ...l })),
      ...extra,
    });
  const approve = (id: string) => api.post(`/v1/returns/${id}/approve`);
  const reject = (id: string, reason = 'outside the return window') => api.post(`/v1/returns/${id}/reject`, { reason });
  const receive = (id: string, lines: { sku: string; quantity: number; condition: string }[], location?: string) =>
    api.post(`/v1/returns/${id}/receive`, { lines, ...(location ? { location } : {}) });

  /** An order of `qty` units of a fresh SKU (unit price 1000), `shipped` of them shipped. */
  async function shippedOrder(qty: number, shipped: number, stock = qty) {
    const s = newSku();
    await adjust(api, s, stock);
    const o = await placeOrder(api, customerId, [{ sku: s, quantity: qty }]);
    await orderReaches(api, o.id, ['confirmed']);
    if (shipped > 0) await ship(o.id, [{ sku: s, quantity: shipped }]);
    return { orderId: o.id, sku: s };
  }

  it('request → 201 requested; only shipped units, minus what other returns claim (409 quantity_exceeds_returnable)', async () => {
    const { orderId, sku: s } = await shippedOrder(3, 2);
    const first = await request(orderId, [{ sku: s, quantity: 1, reason: 'defective' }], { note: 'box dented' });
    expect(first.status, first.text).to.equal(201);
    expect(first.body.id).to.match(/^ret_[0-9a-z]{26}$/);
    expect(first.headers.get('location')).to.equal(`/v1/returns/${first.body.id}`);
    expect(first.body).to.include({ orderId, status: 'requested', currency: 'EUR', note: 'box dented', version: 1 });
    expect(first.body.lines).to.deep.equal([
      { sku: s, quantity: 1, reason: 'defective', unitPrice: 1000, received: 0, resellable: 0, damaged: 0 },
    ]);
    expect(first.body.totals).to.deep.equal({ value: 1000, refunded: 0 });

    // 2 shipped, 1 claimed: 2 more is too many, the third unit never shipped.
    const over = await request(orderId, [{ sku: s, quantity: 2 }]);
    expectProblem(over, 409, 'quantity_exceeds_returnable');
    expect(over.body).to.include({ sku: s, returnable: 1 });
    expect((await request(orderId, [{ sku: s, quantity: 1 }])).status).to.equal(201);
    expectProblem(await request(orderId, [{ sku: s, quantity: 1 }]), 409, 'quantity_exceeds_returnable');

    // A rejected return gives its units back to claim.
    const rejected = await reject(first.body.id);
    expect(rejected.status, rejected.text).to.equal(200);
    expect(rejected.body).to.include({ status: 'rejected', rejectionReason: 'outside the return window' });
    expect((await request(orderId, [{ sku: s, quantity: 1 }])).status).to.equal(201);
  });

  it('request refusals: 404 order_not_found, 422 unknown_line_sku / duplicate_line_sku, 400 bad body, 409 nothing shipped', async () => {
    const { orderId, sku: s } = await shippedOrder(2, 0);
    expectProblem(await request(orderId, [{ sku: s, quantity: 1 }]), 409, 'quantity_exceeds_returnable');
    expectProblem(await request('ord_00000000000000000000000000', [{ sku: s, quantity: 1 }]), 404, 'order_not_found');
    expectProblem(await request(orderId, [{ sku: 'NOT-ON-ORDER', quantity: 1 }]), 422, 'unknown_line_sku');
    expectProblem(
      await request(orderId, [
        { sku: s, quantity: 1 },
        { sku: s, quantity: 1 },
      ]),
      422,
      'duplicate_line_sku',
    );
    expectProblem(await request(orderId, [{ sku: s, quantity: 0 }]), 400, 'validation_failed');
    expectProblem(await request(orderId, [{ sku: s, quantity: 1, reason: 'bored' }]), 400, 'validation_failed');
    expectProblem(await api.post(`/v1/orders/${orderId}/returns`, { lines: [] }), 400, 'validation_failed');
    // A refused request appended nothing: the order is at the version it was.
    const events = await api.get(`/v1/orders/${orderId}/events`);
    expect(events.body.data.map((e: { type: string }) => e.type)).to.not.include('OrderReturnRequested');
  });

  it('two concurrent returns never claim more than shipped together', async () => {
    const { orderId, sku: s } = await shippedOrder(4, 3);
    const results = await Promise.all(Array.from({ length: 6 }, () => request(orderId, [{ sku: s, quantity: 1 }])));
    const codes = results.map((r) => r.status).sort();
    expect(codes).to.deep.equal([201, 201, 201, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409))
      expect(r.body.code).to.equal('quantity_exceeds_returnable');
  });

  it('approve / reject / receive / refund from the wrong status: 409 with a code per status; 404 return_not_found', async () => {
    const { orderId, sku: s } = await shippedOrder(2, 2);
    const r = (await request(orderId, [{ sku: s, quantity: 2 }])).body;
    expectProblem(await receive(r.id, [{ sku: s, quantity: 1, condition: 'resellable' }]), 409, 'return_not_approved');
    expectProblem(
      await api.post(`/v1/returns/${r.id}/refunds`, { amount: 1, reference: 'x' }),
      409,
      'return_not_approved',
    );
    const approved = await approve(r.id);
    expect(approved.status, approved.text).to.equal(200);
    expect(approved.body).to.include({ status: 'approved', version: 2 });
    expect(approved.body.approvedAt).to.be.a('string');
    expectProblem(await approve(r.id), 409, 'return_already_approved');
    expectProblem(await reject(r.id), 409, 'return_already_approved');
    expectProblem(
      await receive(r.id, [{ sku: 'OTHER', quantity: 1, condition: 'resellable' }]),
      422,
      'unknown_return_sku',
    );
    expectProblem(
      await receive(r.id, [{ sku: s, quantity: 3, condition: 'resellable' }]),
      409,
      'quantity_exceeds_approved',
    );
    expectProblem(
      await receive(r.id, [
        { sku: s, quantity: 2, condition: 'resellable' },
        { sku: s, quantity: 1, condition: 'damaged' },
      ]),
      409,
      'quantity_exceeds_approved',
    );
    expectProblem(await receive(r.id, [{ sku: s, quantity: 1, condition: 'broken' }]), 400, 'validation_failed');
    const partial = await receive(r.id, [{ sku: s, quantity: 1, condition: 'resellable' }]);
    expect(partial.status, partial.text).to.equal(200);
    expect(partial.body.status).to.equal('partially_received');
    expectProblem(await approve(r.id), 409, 'return_already_received');
    expectProblem(
      await receive(r.id, [{ sku: s, quantity: 2, condition: 'damaged' }]),
      409,
      'quantity_exceeds_approved',
    );
    const done = await receive(r.id, [{ sku: s, quantity: 1, condition: 'damaged' }]);
    expect(done.body).to.include({ status: 'received' });
    expect(done.body.lines[0]).to.include({ received: 2, resellable: 1, damaged: 1 });
    expectProblem(await receive(r.id, [{ sku: s, quantity: 1, condition: 'damaged' }]), 409, 'return_already_received');

    const rej = (await request(orderId, [{ sku: s, quantity: 0 + 1 }])).status;
    expect(rej, 'all units claimed already').to.equal(409);

    const missing = 'ret_00000000000000000000000000';
    expectProblem(await approve(missing), 404, 'return_not_found');
    expectProblem(await reject(missing), 404, 'return_not_found');
    expectProblem(await receive(missing, [{ sku: s, quantity: 1, condition: 'damaged' }]), 404, 'return_not_found');
    expectProblem(
      await api.post(`/v1/returns/${missing}/refunds`, { amount: 1, reference: 'x' }),
      404,
      'return_not_found',
    );
    expectProblem(await api.get(`/v1/returns/${missing}`), 404, 'return_not_found');
    expectProblem(await api.get('/v1/returns/not-an-id'), 404, 'resource_not_found');
    expectProblem(await reject(r.id, ''), 400, 'validation_failed');

    const other = (await shippedOrder(1, 1)).orderId;
    const toReject = (
      await request(other, [{ sku: (await api.get(`/v1/orders/${other}`)).body.lines[0].sku, quantity: 1 }])
    ).body;
    expect((await reject(toReject.id)).status).to.equal(200);
    expectProblem(await approve(toReject.id), 409, 'return_already_rejected');
    expectProblem(await reject(toReject.id), 409, 'return_already_rejected');
    expectProblem(
      await receive(toReject.id, [{ sku: 'X', quantity: 1, condition: 'damaged' }]),
      409,
      'return_already_rejected',
    );
    expectProblem(
      await api.post(`/v1/returns/${toReject.id}/refunds`, { amount: 1, reference: 'x' }),
      409,
      'return_already_rejected',
    );
  });

  it('resellable units go back on hand (movement reason returned, the return as reference) and serve a waiting backorder; damaged ones never become available', async () => {
    const { orderId, sku: s } = await shippedOrder(3, 3);
    // Nothing left: a second order waits for the SKU.
    const waiting = await placeOrder(api, customerId, [{ sku: s, quantity: 1 }]);
    await orderReaches(api, waiting.id, ['backordered']);

    const r = (await request(orderId, [{ sku: s, quantity: 3, reason: 'wrong_item' }])).body;
    await approve(r.id);
    const damaged = await receive(r.id, [{ sku: s, quantity: 2, condition: 'damaged' }], 'HN-01');
    expect(damaged.status, damaged.text).to.equal(200);
    await quiescent(app);
    expect(await level(api, s)).to.include({ onHand: 0, reserved: 0, available: 0 });
    expect((await api.get(`/v1/orders/${waiting.id}`)).body.status).to.equal('backordered');
    const moves = await api.get(`/v1/inventory/${s}/movements?location=hn-01`);
    expect(moves.body.data[0]).to.include({
      type: 'DamagedStockReturned',
      reason: 'returned',
      condition: 'damaged',
      quantity: 2,
      onHandDelta: 0,
      reference: r.id,
      orderId,
      location: 'hn-01',
    });

    const back = await receive(r.id, [{ sku: s, quantity: 1, condition: 'resellable' }]);
    expect(back.body.status).to.equal('received');
    const served = await orderReaches(api, waiting.id, ['confirmed']);
    expect(served.lines[0]).to.include({ reserved: 1 });
    await quiescent(app);
    expect(await level(api, s)).to.include({ onHand: 1, reserved: 1, available: 0 });
    const ledger = await api.get(`/v1/inventory/${s}/movements?location=default`);
    expect(ledger.body.data.map((m: { type: string; reason: string }) => `${m.type}:${m.reason}`)).to.include(
      'StockAdjusted:returned',
    );
    const returned = ledger.body.data.find((m: { reason: string }) => m.reason === 'returned');
    expect(returned).to.include({ onHandDelta: 1, reference: r.id });
  });

  it('the order shows partially_returned, then returned once every unit came back', async () => {
    const { orderId, sku: s } = await shippedOrder(2, 2);
    await orderReaches(api, orderId, ['shipped']);
    const r = (await request(orderId, [{ sku: s, quantity: 2 }])).body;
    await approve(r.id);
    await receive(r.id, [{ sku: s, quantity: 1, condition: 'resellable' }]);
    await orderReaches(api, orderId, ['partially_returned']);
    await receive(r.id, [{ sku: s, quantity: 1, condition: 'damaged' }]);
    const o = await orderReaches(api, orderId, ['returned']);
    expect(o.allowedActions).to.deep.equal([]);
    const list = await waitFor(
      () => api.get('/v1/orders?status=returned'),
      (res) => res.body.data.some((x: { id: string }) => x.id === orderId),
      { what: 'the order in the returned list' },
    );
    expect(list.status).to.equal(200);
  });

  it('refunds: 201 on the return AND the order (totals.refunded, paymentStatus); 409 past captured or past what the units were worth; 400 bad amount', async () => {
    const { orderId, sku: s } = await shippedOrder(2, 2);
    const r = (await request(orderId, [{ sku: s, quantity: 2 }])).body;
    await approve(r.id);
    // Nothing captured yet: the order refuses, and so nothing is written on the return either.
    const uncaptured = await api.post(`/v1/returns/${r.id}/refunds`, { amount: 100, reference: 'psp_ref_0' });
    expectProblem(uncaptured, 409, 'refund_exceeds_captured');
    const paid = await api.post(`/v1/orders/${orderId}/payments`, {
      type: 'captured',
      amount: 2000,
      reference: 'ch_1',
    });
    expect(paid.status, paid.text).to.equal(201);

    const refund = await api.post(`/v1/returns/${r.id}/refunds`, { amount: 1500, reference: 'psp_ref_1' });
    expect(refund.status, refund.text).to.equal(201);
    expect(refund.body.totals).to.deep.equal({ value: 2000, refunded: 1500 });
    expect(refund.body.refunds[0]).to.include({ amount: 1500, reference: 'psp_ref_1' });
    expect(refund.body.refunds[0].refundId).to.match(/^rfd_/);
    expect(refund.body.version, 'the refused attempt appended nothing').to.equal(3);
    const order = await api.get(`/v1/orders/${orderId}`, { 'Oms-Min-Position': refund.headers.get('oms-position')! });
    expect(order.body.totals.refunded).to.equal(1500);
    expect(order.body.refunds[0]).to.include({
      id: refund.body.refunds[0].refundId,
      returnId: r.id,
      amount: 1500,
    });

    expectProblem(
      await api.post(`/v1/returns/${r.id}/refunds`, { amount: 501, reference: 'psp_ref_2' }),
      409,
      'refund_exceeds_return_value',
    );
    expectProblem(
      await api.post(`/v1/returns/${r.id}/refunds`, { amount: 0, reference: 'x' }),
      400,
      'validation_failed',
    );
    expectProblem(await api.post(`/v1/returns/${r.id}/refunds`, { amount: 5 }), 400, 'validation_failed');
    const rest = await api.post(`/v1/returns/${r.id}/refunds`, { amount: 500, reference: 'psp_ref_2' });
    expect(rest.status, rest.text).to.equal(201);
    const refunded = await api.get(`/v1/orders/${orderId}`, { 'Oms-Min-Position': rest.headers.get('oms-position')! });
    expect(refunded.body.totals.refunded).to.equal(2000);
    expect(refunded.body.paymentStatus).to.equal('refunded');
  });

  it('GET by id (and ?version as it was), lists by order and status with keyset paging, the order’s returns, events, analytics.returns', async () => {
    const { orderId, sku: s } = await shippedOrder(5, 5);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await request(orderId, [{ sku: s, quantity: 1 }])).body.id);
    await approve(ids[0]!);
    await reject(ids[1]!);

    const received = await receive(ids[0]!, [{ sku: s, quantity: 0 + 1, condition: 'resellable' }]);
    const got = await api.get(`/v1/returns/${ids[0]}`, { 'Oms-Min-Position': received.headers.get('oms-position')! });
    expect(got.status, got.text).to.equal(200);
    expect(got.body).to.include({ id: ids[0], status: 'received', version: 3 });
    const then = await api.get(`/v1/returns/${ids[0]}?version=1`);
    expect(then.body).to.include({ status: 'requested', version: 1 });
    const events = await api.get(`/v1/returns/${ids[0]}/events`);
    expect(events.body.data.map((e: { type: string }) => e.type)).to.deep.equal([
      'ReturnRequested',
      'ReturnApproved',
      'ReturnReceived',
    ]);

    await quiescent(app);
    const all = await walk(api, `/v1/orders/${orderId}/returns`, 2);
    expect(all.map((r) => r.id)).to.deep.equal([...ids].reverse());
    const byFilter = await walk(api, `/v1/returns?orderId=${orderId}`, 3);
    expect(byFilter.map((r) => r.id)).to.deep.equal([...ids].reverse());
    const rejected = await walk(api, `/v1/returns?orderId=${orderId}&status=rejected`, 1);
    expect(rejected.map((r) => r.id)).to.deep.equal([ids[1]]);
    expectProblem(await api.get('/v1/returns?status=lost'), 400, 'validation_failed');
    expectProblem(await api.get('/v1/orders/ord_00000000000000000000000000/returns'), 404, 'order_not_found');

    const row = await app.runtime.services.knex('analytics.returns').where({ return_id: ids[0] }).first();
    expect(row).to.include({
      order_id: orderId,
      status: 'received',
      units_requested: 1,
      units_resellable: 1,
      units_damaged: 0,
    });
    expect(row.received_at).to.be.instanceOf(Date);
  });

  it('projections verify: returns, analytics.returns, the inventory ledger and orders rebuild to what the live projections hold', async () => {
    await quiescent(app);
    for (const name of ['returns', 'returns-analytics', 'inventory', 'orders']) {
      const projection = app.runtime.allProjections().find((p) => p.name === name)!;
      const r = await verifyProjection({
        knex: app.runtime.services.knex,
        store: app.runtime.services.store,
        projection,
      });
      expect(r.differences, name).to.deep.equal([]);
    }
  });
});
