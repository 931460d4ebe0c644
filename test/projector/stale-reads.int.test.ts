import { expect } from 'chai';
import { inventoryProjection } from '../../projections/inventory.ts';
import { ordersProjection } from '../../projections/orders.ts';
import { customersProjection } from '../../projections/customers.ts';
import { retryParked } from '../../src/projector/parking.ts';
import type { Projection } from '../../src/projector/projection.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { adjust, newCustomer, placeOrder } from '../support/oms.ts';
import { waitFor } from '../support/wait.ts';

// A by-id GET of an entity whose read-model row is stale (one of its events parked) answers from a
// fold of its stream, marked Oms-Read-Source: stream, until retry-parked repairs the row. The poison:
// triggers that refuse one value in a read-model table, so the real projection fails on that one
// event; dropping a trigger is "the fix".
const POISON = 'POISON';
const POISON_ON_HAND = 4242;
const installPoison = `
  create function test_poison_orders() returns trigger language plpgsql as $$
  begin
    if new.state->>'notes' = '${POISON}' then raise exception 'refused: poisoned notes'; end if;
    if new.state->'shippingAddress'->>'country' = '[redacted]' then raise exception 'refused: redaction'; end if;
    return new;
  end $$;
  create trigger test_poison before insert or update on orders for each row execute function test_poison_orders();
  create function test_poison_customers() returns trigger language plpgsql as $$
  begin
    if new.name = '${POISON}' then raise exception 'refused: poisoned name'; end if;
    return new;
  end $$;
  create trigger test_poison before insert or update on customers for each row execute function test_poison_customers();
  create function test_poison_levels() returns trigger language plpgsql as $$
  begin
    if new.on_hand = ${POISON_ON_HAND} then raise exception 'refused: poisoned level'; end if;
    return new;
  end $$;
  create trigger test_poison before insert or update on inventory_levels
    for each row execute function test_poison_levels();`;
const cure = (table: string) => `drop trigger test_poison on ${table}`;

describe('A stale entity (an event parked) is read from its stream until retry-parked repairs it', function () {
  this.timeout(120_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;

  before(async () => {
    app = await startTestApp({ projectorRetry: { parkAfter: 3, baseDelayMs: 50, maxDelayMs: 200 } });
    api = client(app.baseUrl, (await app.key(['*'], 'tenant-stale')).key);
    await app.db.pool.query(installPoison);
  });
  after(async () => app?.stop());

  const sql = async <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    (await app.db.pool.query(text, values)).rows as T[];
  /** The read model row's version (0 when there is no row). */
  const rowVersion = async (table: string, id: string) =>
    (await sql<{ version: number }>(`select version from ${table} where id = $1`, [id]))[0]?.version ?? 0;
  const parkedFor = (projection: string, stream: string) =>
    waitFor(
      () => sql('select 1 from stale_entities where projection = $1 and stream_name like $2', [projection, stream]),
      (rows) => rows.length > 0,
      { what: `a stale mark on ${stream} for ${projection}`, timeoutMs: 30_000 },
    );
  const retry = async (projection: Projection) => {
    const results = await retryParked(app.runtime.services.knex, app.runtime.services.store, projection);
    expect(results.map((r) => r.outcome)).to.deep.equal(results.map(() => 'applied'));
  };

  it('an order whose customer was forgotten while that event is parked for the orders: the address reads redacted', async () => {
    await adjust(api, 'STALE-2', 10);
    const cus = await newCustomer(api);
    const order = await placeOrder(api, cus, [{ sku: 'STALE-2', quantity: 1 }]);
    await waitFor(
      () => sql<{ status: string }>('select status from orders where id = $1', [order.id]),
      (rows) => rows[0]?.status === 'confirmed',
      { what: 'the confirmed order in the read model' },
    );
    const forgotten = await api.delete(`/v1/customers/${cus}/personal-data`);
    expect(forgotten.status, forgotten.text).to.be.oneOf([200, 204]);
    await parkedFor('orders', `%:customer:${cus}`);
    const [row] = await sql<{ country: string }>(
      `select state->'shippingAddress'->>'country' as country from orders where id = $1`,
      [order.id],
    );
    expect(row!.country, 'the row still holds the address').to.equal('NL');

    const got = await api.get(`/v1/orders/${order.id}`);
    expect(got.status, got.text).to.equal(200);
    expect(got.body.shippingAddress.country).to.equal('[redacted]');
    expect(got.headers.get('oms-read-source')).to.equal('stream');
  });

  it('an order: its GET shows the parked change; the list shows the stale row; after the retry the row answers', async () => {
    await adjust(api, 'STALE-1', 10);
    const cus = await newCustomer(api);
    const order = await placeOrder(api, cus, [{ sku: 'STALE-1', quantity: 1 }]);
    // Confirmed by allocation and projected: the row exists before the poisoned change.
    await waitFor(
      () => sql<{ status: string }>('select status from orders where id = $1', [order.id]),
      (rows) => rows[0]?.status === 'confirmed',
      { what: 'the confirmed order in the read model' },
    );
    const before = await rowVersion('orders', order.id);

    const patched = await api.patch(`/v1/orders/${order.id}`, { notes: POISON });
    expect(patched.status, patched.text).to.equal(200);
    await parkedFor('orders', `%:order:${order.id}`);
    expect(await rowVersion('orders', order.id), 'the row misses the parked event').to.equal(before);

    const got = await api.get(`/v1/orders/${order.id}`);
    expect(got.status, got.text).to.equal(200);
    expect(got.body).to.deep.equal(patched.body);
    expect(got.headers.get('etag')).to.equal(`"${patched.body.version}"`);
    expect(got.headers.get('oms-read-source')).to.equal('stream');
    // Lists cannot fold: they show the row as it is until the repair.
    const listed = await api.get(`/v1/orders?customerId=${cus}`);
    expect(listed.body.data[0]).to.include({ id: order.id, version: before, notes: null });

    await app.db.pool.query(cure('orders'));
    await retry(ordersProjection);
    const repaired = await api.get(`/v1/orders/${order.id}`);
    expect(repaired.headers.get('oms-read-source')).to.equal('read-model');
    expect(repaired.body).to.deep.equal(patched.body);
  });

  it('a customer: its GET shows the parked change until the retry', async () => {
    const cus = await newCustomer(api);
    await waitFor(
      () => rowVersion('customers', cus),
      (v) => v === 1,
      { what: 'the customer row' },
    );
    const patched = await api.patch(`/v1/customers/${cus}`, { name: POISON });
    expect(patched.status, patched.text).to.equal(200);
    await parkedFor('customers', `%:customer:${cus}`);
    expect(await rowVersion('customers', cus)).to.equal(1);

    const got = await api.get(`/v1/customers/${cus}`);
    expect(got.body).to.deep.equal(patched.body);
    expect(got.headers.get('oms-read-source')).to.equal('stream');

    await app.db.pool.query(cure('customers'));
    await retry(customersProjection);
    const repaired = await api.get(`/v1/customers/${cus}`);
    expect(repaired.body).to.deep.equal(patched.body);
    expect(repaired.headers.get('oms-read-source')).to.equal('read-model');
  });

  it('inventory: a stale location, and a location whose first event is parked, are folded into the SKU', async () => {
    await adjust(api, 'STALE-3', 10);
    await adjust(api, 'STALE-3', 5, 'wh-2');
    await waitFor(
      () => sql("select 1 from inventory_levels where sku = 'STALE-3'"),
      (rows) => rows.length === 2,
      { what: 'both locations in the read model' },
    );
    await adjust(api, 'STALE-3', POISON_ON_HAND - 10);
    await adjust(api, 'STALE-3', POISON_ON_HAND, 'wh-new');
    await parkedFor('inventory', '%:inventory:STALE-3@default');
    await parkedFor('inventory', '%:inventory:STALE-3@wh-new');

    const got = await api.get('/v1/inventory/STALE-3');
    expect(got.status, got.text).to.equal(200);
    expect(got.body).to.deep.equal({
      sku: 'STALE-3',
      onHand: 2 * POISON_ON_HAND + 5,
      reserved: 0,
      available: 2 * POISON_ON_HAND + 5,
      locations: [
        { location: 'default', onHand: POISON_ON_HAND, reserved: 0, available: POISON_ON_HAND },
        { location: 'wh-2', onHand: 5, reserved: 0, available: 5 },
        { location: 'wh-new', onHand: POISON_ON_HAND, reserved: 0, available: POISON_ON_HAND },
      ],
    });
    expect(got.headers.get('oms-read-source')).to.equal('stream');

    await app.db.pool.query(cure('inventory_levels'));
    await retry(inventoryProjection);
    const repaired = await api.get('/v1/inventory/STALE-3');
    expect(repaired.headers.get('oms-read-source')).to.equal('read-model');
    expect(repaired.body).to.deep.equal(got.body);
  });
});
