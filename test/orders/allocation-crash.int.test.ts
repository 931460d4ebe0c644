import { expect } from 'chai';
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import { reservedFor } from '../../domain/inventory/level.ts';
import { foldRecorded } from '../../src/commands/load.ts';
import type { EventStore, StreamWrite } from '../../src/eventstore/port.ts';
import { readModelLocations } from '../../src/locations/stock-locations.ts';
import { allocateOrder } from '../../src/orders/allocation.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { adjust, newCustomer, placeOrder } from '../support/oms.ts';

class Crash extends Error {}

/**
 * The real store, except that it "crashes" (throws) once after `okAppends` successful stream
 * writes. A multi-stream append is written one stream at a time here, as EventStoreDB writes it
 * (no transaction across streams), so a crash can fall between the inventory and the order.
 */
function crashingAfter(store: EventStore, okAppends: number): EventStore {
  let n = 0;
  const one = async (write: StreamWrite) => {
    if (n++ >= okAppends) throw new Crash('process killed here');
    return (await store.appendToStreams([write]))[0]!;
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'appendToStream') {
        return async (...args: Parameters<EventStore['appendToStream']>) => {
          if (n++ >= okAppends) throw new Crash('process killed here');
          return target.appendToStream(...args);
        };
      }
      if (prop === 'appendToStreams') {
        return async (writes: readonly StreamWrite[]) => {
          const results = [];
          for (const w of writes) results.push(await one(w));
          return results;
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('Allocation: a job that dies half-way and is retried never double-reserves', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let tenant: string;

  before(async () => {
    // No worker: this test drives the allocation itself.
    app = await startTestApp({ roles: ['api', 'projector'] });
    const k = await app.key(['*']);
    tenant = k.tenant;
    api = client(app.baseUrl, k.key);
  });
  after(async () => app?.stop());

  const ctx = () => ({
    tenant,
    actor: 'system:test',
    correlationId: 'crash-test',
    causationId: null,
    now: new Date().toISOString(),
  });
  /** The real allocation dependencies, over `store` (the real one, or one that crashes). */
  const deps = (store: EventStore = app.runtime.services.store) => ({
    store,
    locations: readModelLocations(app.runtime.services.knex, app.runtime.services.store),
  });
  const held = async (sku: string, orderId: string) =>
    reservedFor(
      foldRecorded(inventoryDecider, await app.runtime.services.store.readStream(`${tenant}:inventory:${sku}@default`)),
      orderId,
    );

  it('crash after reserving, before telling the order: the retry records, and reserves nothing more', async () => {
    const customerId = await newCustomer(api);
    await adjust(api, 'CRASH-1', 5);
    const order = await placeOrder(api, customerId, [{ sku: 'CRASH-1', quantity: 3 }]);
    let crashed = false;
    try {
      await allocateOrder(deps(crashingAfter(app.runtime.services.store, 1)), ctx(), order.id);
    } catch (err) {
      crashed = err instanceof Crash;
    }
    expect(crashed, 'the first run died').to.equal(true);
    expect(await held('CRASH-1', order.id)).to.equal(3);
    const orderEvents = await app.runtime.services.store.readStream(`${tenant}:order:${order.id}`);
    expect(orderEvents.map((e) => e.type)).to.deep.equal(['OrderPlaced']);

    expect(await allocateOrder(deps(), ctx(), order.id)).to.equal('confirmed');
    expect(await held('CRASH-1', order.id)).to.equal(3);
    const after = await app.runtime.services.store.readStream(`${tenant}:order:${order.id}`);
    expect(after.map((e) => e.type)).to.deep.equal(['OrderPlaced', 'OrderAllocationRecorded', 'OrderConfirmed']);
  });

  it('crashing at every possible step and retrying each time converges on exactly the ordered quantity', async () => {
    const customerId = await newCustomer(api);
    await adjust(api, 'CRASH-2', 2);
    const east = await adjust(api, 'CRASH-2', 2, 'east');
    // Other locations are found through the inventory read model: let it show east first.
    await api.get('/v1/inventory/CRASH-2', { 'Oms-Min-Position': east.headers.get('oms-position')! });
    const order = await placeOrder(api, customerId, [{ sku: 'CRASH-2', quantity: 3 }]);
    for (let ok = 0; ok < 6; ok++) {
      await allocateOrder(deps(crashingAfter(app.runtime.services.store, ok)), ctx(), order.id).catch((err) => {
        if (!(err instanceof Crash)) throw err;
      });
    }
    await allocateOrder(deps(), ctx(), order.id);
    const heldEast = reservedFor(
      foldRecorded(inventoryDecider, await app.runtime.services.store.readStream(`${tenant}:inventory:CRASH-2@east`)),
      order.id,
    );
    expect((await held('CRASH-2', order.id)) + heldEast).to.equal(3);
  });

  it('five rounds racing for the same order reserve the ordered quantity once', async () => {
    const customerId = await newCustomer(api);
    await adjust(api, 'CRASH-3', 10);
    const order = await placeOrder(api, customerId, [{ sku: 'CRASH-3', quantity: 4 }]);
    await Promise.all(Array.from({ length: 5 }, () => allocateOrder(deps(), ctx(), order.id)));
    expect(await held('CRASH-3', order.id)).to.equal(4);
  });
});
