// Forget scrubs the webhook delivery log of the customer's orders even when the orders read model
// has not caught up (here: no projector runs at all). The orders are found from the event log.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { adjust } from '../support/oms.ts';

describe('Forget scrubs deliveries of orders the read model does not know yet', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ roles: ['api'] });
  });
  after(async () => app?.stop());

  it('strips the address from an order.updated delivery of the forgotten customer, and only theirs', async () => {
    const { key, tenant } = await app.key(['*']);
    const api = client(app.baseUrl, key);
    const customer = (await api.post('/v1/customers', { email: 'lag.victim@example.com', name: 'Lag Victim' })).body;
    const other = (await api.post('/v1/customers', { email: 'lag.other@example.com', name: 'Lag Other' })).body;
    await adjust(api, 'LAG-1', 5);
    const order = async (customerId: string) => {
      const res = await api.post('/v1/orders', {
        customerId,
        currency: 'EUR',
        lines: [{ sku: 'LAG-1', quantity: 1, unitPrice: 1000 }],
        shippingAddress: { line1: '3 Lagging Lane', city: 'Slowby', country: 'GB' },
      });
      expect(res.status, res.text).to.equal(201);
      return res.body.id as string;
    };
    const mine = await order(customer.id);
    const theirs = await order(other.id);
    const endpoint = await api.post('/v1/webhook-endpoints', { url: 'https://93.184.216.34/h', events: ['*'] });
    expect(endpoint.status, endpoint.text).to.equal(201);
    // What the fan-out writes for an address change: the order id, not the customer.
    const delivery = async (orderId: string) => {
      const id = `dlv_${randomUUID().replaceAll('-', '').slice(0, 26)}`;
      await app.db.pool.query(
        `insert into webhook_deliveries (id, tenant, endpoint_id, event_id, event_type, payload)
         values ($1, $2, $3, $4, 'order.updated', $5::jsonb)`,
        [
          id,
          tenant,
          endpoint.body.id,
          randomUUID(),
          JSON.stringify({
            type: 'order.updated',
            data: {
              orderId,
              changes: {
                shippingAddress: { line1: '4 Moved Street', city: 'Slowby', country: 'GB' },
                notes: 'Ask for Mrs Notewell',
              },
            },
          }),
        ],
      );
      return id;
    };
    const mineDelivery = await delivery(mine);
    const theirsDelivery = await delivery(theirs);
    expect(
      (await app.db.pool.query('select 1 from orders where id = $1', [mine])).rowCount,
      'read model empty',
    ).to.equal(0);

    expect((await api.delete(`/v1/customers/${customer.id}/personal-data`)).status).to.equal(200);

    const payload = async (id: string) =>
      JSON.stringify(
        (await app.db.pool.query('select payload from webhook_deliveries where id = $1', [id])).rows[0].payload,
      );
    expect(await payload(mineDelivery))
      .to.not.include('Moved Street')
      .and.not.include('Notewell');
    expect(await payload(theirsDelivery)).to.include('Moved Street');
  });
});
