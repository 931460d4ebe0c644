// create-order's customer check is served from the process's set of customers seen active in the
// last 5 s; forgetting a customer through this process drops them from it at once.
import { expect } from 'chai';
import { activeCustomers } from '../../src/customers/active-customers.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { address, newCustomer } from '../support/oms.ts';

describe('create-order: active customers remembered for 5 s', function () {
  this.timeout(30_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let tenant: string;
  before(async () => {
    app = await startTestApp({ roles: ['api'] });
    const k = await app.key(['*']);
    tenant = k.tenant;
    api = client(app.baseUrl, k.key);
  });
  after(async () => app?.stop());

  const order = (customerId: string) => ({
    customerId,
    currency: 'EUR',
    lines: [{ sku: 'AC-1', quantity: 1, unitPrice: 100 }],
    shippingAddress: address,
  });

  it('a second order for the customer does not read their stream again', async () => {
    const customerId = await newCustomer(api);
    expect((await api.post('/v1/orders', order(customerId))).status).to.equal(201);
    expect(activeCustomers(app.runtime.services.store).has(tenant, customerId)).to.equal(true);
    // Its stream is not read again: an order still passes with the stream out of reach.
    const store = app.runtime.services.store;
    const readStream = store.readStream;
    const read: string[] = [];
    store.readStream = (name, o) => {
      read.push(name);
      return readStream.call(store, name, o);
    };
    try {
      expect((await api.post('/v1/orders', order(customerId))).status).to.equal(201);
    } finally {
      store.readStream = readStream;
    }
    expect(read.filter((n) => n.includes(':customer:'))).to.deep.equal([]);
  });

  it('a customer forgotten through this process takes no order, even within the 5 s', async () => {
    const customerId = await newCustomer(api);
    expect((await api.post('/v1/orders', order(customerId))).status).to.equal(201);
    const forgot = await api.delete(`/v1/customers/${customerId}/personal-data`);
    expect(forgot.status, forgot.text).to.be.within(200, 299);
    expect(activeCustomers(app.runtime.services.store).has(tenant, customerId)).to.equal(false);
    expectProblem(await api.post('/v1/orders', order(customerId)), 422, 'customer_forgotten');
  });
});
