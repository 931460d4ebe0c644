import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { adjust, level, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';
import { waitFor } from '../support/wait.ts';

// Where allocation draws stock from: active defined locations by priority (ties by code), an
// order's preferredLocations first, never an inactive location, the never-defined ones after every
// defined one (the default location first, then by name, as before locations could be defined).
describe('Allocation order across locations: priority, preferredLocations, inactive, undefined last', function () {
  this.timeout(120_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let customerId: string;

  before(async () => {
    app = await startTestApp();
    api = client(app.baseUrl, (await app.key(['*'])).key);
    customerId = await newCustomer(api);
  });
  after(async () => app?.stop());

  const define = async (code: string, priority: number, active = true) => {
    const res = await api.put(`/v1/locations/${code}`, { name: code, priority, active });
    expect(res.status, res.text).to.be.oneOf([200, 201]);
  };
  const reservedAt = async (sku: string) =>
    Object.fromEntries((await level(api, sku)).locations.map((l) => [l.location, l.reserved]));
  /** Stock at each location, and the inventory read model showing all of it (candidates come from it). */
  const stockUp = async (sku: string, at: Record<string, number>) => {
    let last = '';
    for (const [location, n] of Object.entries(at))
      last = (await adjust(api, sku, n, location)).headers.get('oms-position')!;
    await api.get(`/v1/inventory/${sku}`, { 'Oms-Min-Position': last });
  };
  /** The inventory read model may be a moment behind the order's: wait for it to show the expected holdings. */
  const expectReserved = async (sku: string, expected: Record<string, number>) => {
    const got = await waitFor(
      () => reservedAt(sku),
      (r) => Object.entries(expected).every(([l, n]) => (r[l] ?? 0) === n),
      { what: `${sku} reserved ${JSON.stringify(expected)}`, timeoutMs: 30_000 },
    ).catch(async () => reservedAt(sku));
    expect(got).to.deep.include(expected);
  };
  const settle = async (id: string) => (await orderReaches(api, id, ['confirmed', 'backordered'])).status;

  it('draws by priority, ties by code, then the never-defined ones (default first, then by name); never from an inactive one', async () => {
    await define('wh-b', 1);
    await define('wh-a', 1);
    await define('wh-c', 2);
    await define('wh-x', 1, false);
    await stockUp('LOC-1', { default: 2, 'wh-a': 2, 'wh-b': 2, 'wh-c': 2, 'wh-x': 10, zz: 2 });

    const first = await placeOrder(api, customerId, [{ sku: 'LOC-1', quantity: 3 }]);
    expect(await settle(first.id)).to.equal('confirmed');
    await expectReserved('LOC-1', { 'wh-a': 2, 'wh-b': 1, 'wh-c': 0, default: 0, 'wh-x': 0 });

    const second = await placeOrder(api, customerId, [{ sku: 'LOC-1', quantity: 5 }]);
    expect(await settle(second.id)).to.equal('confirmed');
    // wh-b's last unit, wh-c (priority 2), then the undefined: default before zz.
    await expectReserved('LOC-1', {
      'wh-a': 2,
      'wh-b': 2,
      'wh-c': 2,
      default: 2,
      zz: 0,
      'wh-x': 0,
    });

    const third = await placeOrder(api, customerId, [{ sku: 'LOC-1', quantity: 4 }]);
    // Only zz's 2 are left to draw: the inactive wh-x's 10 are never touched, so it waits for 2.
    expect(await settle(third.id)).to.equal('backordered');
    await expectReserved('LOC-1', { zz: 2, 'wh-x': 0 });
  });

  it("an order's preferredLocations are tried first (inactive ones skipped), then the usual order", async () => {
    await define('pf-main', 1);
    await define('pf-off', 3, false);
    await stockUp('LOC-2', { 'pf-main': 5, 'pf-store': 5, 'pf-off': 5 });

    const plain = await placeOrder(api, customerId, [{ sku: 'LOC-2', quantity: 1 }]);
    expect(await settle(plain.id)).to.equal('confirmed');
    await expectReserved('LOC-2', { 'pf-main': 1, 'pf-store': 0 });

    const preferring = await placeOrder(api, customerId, [{ sku: 'LOC-2', quantity: 7 }], {
      preferredLocations: ['PF-OFF', 'pf-store'],
    });
    expect(preferring.status).to.equal('pending');
    const done = await api.get(`/v1/orders/${preferring.id}`);
    expect(done.body.preferredLocations).to.deep.equal(['pf-off', 'pf-store']);
    expect(await settle(preferring.id)).to.equal('confirmed');
    // pf-store's 5 first (preferred; pf-off is inactive), then pf-main by priority.
    await expectReserved('LOC-2', { 'pf-store': 5, 'pf-main': 3, 'pf-off': 0 });
  });

  it('a location made inactive is no longer drawn from; reactivated, it is again', async () => {
    await define('on-off', 1);
    await stockUp('LOC-3', { 'on-off': 5, default: 5 });
    await define('on-off', 1, false);
    const o = await placeOrder(api, customerId, [{ sku: 'LOC-3', quantity: 2 }]);
    expect(await settle(o.id)).to.equal('confirmed');
    await expectReserved('LOC-3', { 'on-off': 0, default: 2 });

    await define('on-off', 1, true);
    const p = await placeOrder(api, customerId, [{ sku: 'LOC-3', quantity: 2 }]);
    expect(await settle(p.id)).to.equal('confirmed');
    await expectReserved('LOC-3', { 'on-off': 2, default: 2 });
  });
});
