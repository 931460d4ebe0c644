import { expect } from 'chai';
import { recordRefund } from '../../src/orders/commands.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { newCustomer, placeOrder } from '../support/oms.ts';
import { startReceiver } from '../support/receiver.ts';
import { waitFor } from '../support/wait.ts';

// Holds, payments and refunds reach webhook receivers as order.held, order.hold_released,
// order.payment_recorded and refund.recorded.

describe('Webhooks: holds, payments, refunds', function () {
  this.timeout(60_000);
  let app: TestApp;

  before(async () => {
    app = await startTestApp({ env: { OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1', OMS_WEBHOOK_BACKOFF_MS: '20' } });
  });
  after(async () => app?.stop());

  it('delivers each with the order id and the event data', async () => {
    const k = await app.key(['*']);
    const api = client(app.baseUrl, k.key);
    const rx = await startReceiver();
    try {
      const types = ['order.held', 'order.hold_released', 'order.payment_recorded', 'refund.recorded'];
      expect((await api.post('/v1/webhook-endpoints', { url: rx.url, events: types })).status).to.equal(201);
      const order = await placeOrder(api, await newCustomer(api), [{ sku: 'HOOK-M-1', quantity: 1, unitPrice: 500 }]);
      const hold = await api.post(`/v1/orders/${order.id}/holds`, { reason: 'payment' });
      await api.post(`/v1/orders/${order.id}/holds/${hold.body.id}/release`);
      const pay = await api.post(`/v1/orders/${order.id}/payments`, {
        type: 'captured',
        amount: 500,
        reference: 'ch_hook',
      });
      await recordRefund(
        { store: app.runtime.services.store, emailHashKey: '' },
        { tenant: k.tenant, actor: 'test', correlationId: 'c', causationId: null, now: new Date().toISOString() },
        { orderId: order.id, refundId: 'rfd_hook', returnId: 'ret_hook', amount: 200, reference: 're_hook' },
      );
      await waitFor(
        async () => rx.received.length,
        (n) => n === 4,
        { what: 'four deliveries' },
      );
      const byType = Object.fromEntries(rx.received.map((r) => [r.body.type, r.body.data]));
      expect(Object.keys(byType).sort()).to.deep.equal([...types].sort());
      expect(byType['order.held']).to.include({
        orderId: order.id,
        holdId: hold.body.id,
        reason: 'payment',
        note: null,
      });
      expect(byType['order.hold_released']).to.include({ orderId: order.id, holdId: hold.body.id });
      expect(byType['order.payment_recorded']).to.include({
        orderId: order.id,
        paymentId: pay.body.id,
        type: 'captured',
        amount: 500,
        reference: 'ch_hook',
      });
      expect(byType['refund.recorded']).to.include({
        orderId: order.id,
        refundId: 'rfd_hook',
        returnId: 'ret_hook',
        amount: 200,
        reference: 're_hook',
      });
    } finally {
      await rx.close();
    }
  });
});
