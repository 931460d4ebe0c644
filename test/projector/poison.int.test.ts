import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { REDIS_URL } from '../support/database.ts';
import { client } from '../support/http.ts';
import { spawnOms } from '../support/process.ts';
import { waitFor } from '../support/wait.ts';

// The poison: a trigger on the customers read model refuses one customer's row, so the real
// customers projection fails on that one event (of one tenant) and on nothing else. Dropping the
// trigger is "the fix".
const POISON_NAME = 'Poison Pill';
const installPoison = `
  create function test_poison() returns trigger language plpgsql as $$
  begin
    if new.name = '${POISON_NAME}' then raise exception 'refused by the test poison trigger'; end if;
    return new;
  end $$;
  create trigger test_poison before insert or update on customers for each row execute function test_poison();`;
const removePoison = 'drop trigger test_poison on customers; drop function test_poison();';

describe('Projector: a poison event is isolated and parked, the others go on (all tenants)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let env: Record<string, string>;

  before(async () => {
    app = await startTestApp({
      env: { OMS_PROJECTION_STUCK_SECONDS: '0.3' },
      // A backoff of a minute: were the poison event retried with backoff, the other tenants would
      // wait that long behind it and the waits below would time out. It is parked at once instead.
      projectorRetry: { parkAfter: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    env = { DATABASE_URL: app.db.url, REDIS_URL, OMS_REDIS_PREFIX: app.redisPrefix, LOG_LEVEL: 'warn' };
    await app.db.pool.query(installPoison);
  });
  after(async () => app?.stop());

  async function oms(...args: string[]) {
    const p = spawnOms(args, env);
    const code = await p.exited;
    return { code, out: p.output(), json: () => JSON.parse(p.stdout().trim().split('\n').at(-1)!) };
  }
  const metric = async (name: string) =>
    ((await app.runtime.services.metrics.registry.getSingleMetric(name)?.get())?.values ?? [])
      .filter((v) => v.labels.projection === 'customers')
      .reduce((n, v) => n + v.value, 0);
  const customerIds = async () =>
    (await app.db.pool.query<{ id: string }>('select id from customers')).rows.map((r) => r.id);

  it('parks the one event, applies the rest, alerts, and applies it again after the fix', async () => {
    const bad = client(app.baseUrl, (await app.key(['*'], 'tenant-poisoned')).key);
    const good = client(app.baseUrl, (await app.key(['*'], 'tenant-healthy')).key);
    const poisoned = await bad.post('/v1/customers', { email: 'pill@example.com', name: POISON_NAME });
    expect(poisoned.status, poisoned.text).to.equal(201);
    const others = [
      await good.post('/v1/customers', { email: 'a@example.com', name: 'Healthy A' }),
      await good.post('/v1/customers', { email: 'b@example.com', name: 'Healthy B' }),
      await bad.post('/v1/customers', { email: 'c@example.com', name: 'Same tenant C' }),
    ].map((r) => r.body.id as string);

    // Parked at once: every other event is applied, for both tenants, without a backoff.
    await waitFor(customerIds, (ids) => others.every((id) => ids.includes(id)), {
      what: 'the other customers projected past the poison',
    });
    expect(await customerIds()).to.not.include(poisoned.body.id);
    expect(await metric('oms_projection_events_parked_total')).to.equal(1);
    // The failed batch, then the poison event's five attempts on its own.
    expect(await metric('oms_projection_batch_failures_total')).to.equal(6);
    expect(await metric('oms_projection_lag_seconds')).to.equal(0);

    const ready = await client(app.baseUrl).get('/readyz');
    expect(ready.status, ready.text).to.equal(200);
    expect(ready.body.degraded).to.deep.equal([{ projection: 'customers', parked: 1 }]);
    expect(ready.body.stuck).to.equal(undefined);
    const stale = await app.db.pool.query(
      'select projection, tenant, stream_name, parked_event_id from stale_entities',
    );
    expect(stale.rows).to.have.length(1);
    expect(stale.rows[0]).to.include({ projection: 'customers', tenant: 'tenant-poisoned' });
    expect(stale.rows[0].stream_name).to.include(poisoned.body.id);

    const listed = await oms('projections', 'parked', '--json');
    expect(listed.code, listed.out).to.equal(0);
    const [parked, ...more] = listed.json();
    expect(more).to.deep.equal([]);
    expect(parked).to.include({
      projection: 'customers',
      tenant: 'tenant-poisoned',
      type: 'CustomerRegistered',
      error: 'refused by the test poison trigger',
      attempts: 5,
    });
    expect(parked.eventId).to.equal(stale.rows[0].parked_event_id);
    expect(parked.streamName).to.equal(stale.rows[0].stream_name);
    expect(JSON.stringify(parked)).to.not.include('pill@example.com');

    // Not fixed yet: the retry fails, the event stays parked (exit 1).
    const early = await oms('projections', 'retry-parked', 'customers', '--json');
    expect(early.code, early.out).to.equal(1);
    expect(early.json()).to.deep.equal([
      {
        projection: 'customers',
        eventId: parked.eventId,
        outcome: 'failed',
        error: 'refused by the test poison trigger',
      },
    ]);
    expect((await app.db.pool.query('select attempts from parked_events')).rows).to.deep.equal([{ attempts: 6 }]);

    // The fix, then the retry applies it and unparks it.
    await app.db.pool.query(removePoison);
    const retried = await oms('projections', 'retry-parked', 'customers', '--json');
    expect(retried.code, retried.out).to.equal(0);
    expect(retried.json()).to.deep.equal([{ projection: 'customers', eventId: parked.eventId, outcome: 'applied' }]);
    expect(await customerIds()).to.include(poisoned.body.id);
    expect((await app.db.pool.query('select count(*)::int as n from parked_events')).rows[0].n).to.equal(0);
    expect((await app.db.pool.query('select count(*)::int as n from stale_entities')).rows[0].n).to.equal(0);
    const after = await client(app.baseUrl).get('/readyz');
    expect(after.status).to.equal(200);
    expect(after.body.degraded).to.equal(undefined);
    expect((await oms('projections', 'parked', '--json')).json()).to.deep.equal([]);
  });
});

// A failure of the infrastructure (here a serialization failure, SQLSTATE 40001, raised for one row)
// is waited out with backoff, never parked: the projection is stuck until it clears.
describe('Projector: a transient failure is retried with backoff, reported stuck, never parked', function () {
  this.timeout(60_000);
  let app: TestApp;

  before(async () => {
    app = await startTestApp({
      env: { OMS_PROJECTION_STUCK_SECONDS: '0.3' },
      projectorRetry: { parkAfter: 5, baseDelayMs: 100, maxDelayMs: 400 },
    });
    await app.db.pool.query(`
      create function test_transient() returns trigger language plpgsql as $$
      begin
        if new.name = 'Unlucky' then raise exception 'could not serialize access' using errcode = '40001'; end if;
        return new;
      end $$;
      create trigger test_transient before insert or update on customers for each row execute function test_transient();`);
  });
  after(async () => app?.stop());

  it('reports the projection stuck with a growing lag, then catches up when the failure clears', async () => {
    const api = client(app.baseUrl, (await app.key(['*'], 'tenant-unlucky')).key);
    const unlucky = await api.post('/v1/customers', { email: 'u@example.com', name: 'Unlucky' });
    expect(unlucky.status, unlucky.text).to.equal(201);
    const stuck = await waitFor(
      () => client(app.baseUrl).get('/readyz'),
      (r) => r.status === 503,
      { what: '/readyz reporting the stuck projection', intervalMs: 20 },
    );
    expect(stuck.body.stuck.map((s: { projection: string }) => s.projection)).to.deep.equal(['customers']);
    expect(stuck.body.checks.find((c: { name: string }) => c.name === 'projections')).to.include({ ok: false });
    const lag = async () =>
      (await app.runtime.services.metrics.registry.getSingleMetric('oms_projection_lag_seconds')?.get())?.values.find(
        (v) => v.labels.projection === 'customers',
      )?.value ?? 0;
    await waitFor(lag, (s) => s > 0.5, { what: 'the customers lag growing while it fails' });
    expect((await app.db.pool.query('select count(*)::int as n from parked_events')).rows[0].n).to.equal(0);

    await app.db.pool.query('drop trigger test_transient on customers; drop function test_transient();');
    await waitFor(
      async () => (await app.db.pool.query('select id from customers')).rows.map((r) => r.id),
      (ids) => ids.includes(unlucky.body.id),
      { what: 'the customer projected once the failure clears' },
    );
    const ready = await waitFor(
      () => client(app.baseUrl).get('/readyz'),
      (r) => r.status === 200,
      { what: '/readyz ready again' },
    );
    expect(ready.body.stuck).to.equal(undefined);
    expect(ready.body.degraded).to.equal(undefined);
  });
});

// Parking itself can fail (here parked_events refuses the row). The projection must not move past an
// event it could not record, and must not spin either: it waits with backoff and is reported stuck.
describe('Projector: when the poison event cannot be parked, it stops with backoff instead of spinning', function () {
  this.timeout(60_000);
  let app: TestApp;

  before(async () => {
    app = await startTestApp({
      env: { OMS_PROJECTION_STUCK_SECONDS: '0.3' },
      projectorRetry: { parkAfter: 2, baseDelayMs: 1000, maxDelayMs: 1000 },
    });
    await app.db.pool.query(installPoison);
    await app.db.pool.query(
      "alter table parked_events add constraint test_no_parking check (projection <> 'customers')",
    );
  });
  after(async () => app?.stop());

  it('reports it stuck, parks it once parking works again, then moves on', async () => {
    const api = client(app.baseUrl, (await app.key(['*'], 'tenant-poisoned')).key);
    const written = Date.now();
    const poisoned = await api.post('/v1/customers', { email: 'pill@example.com', name: POISON_NAME });
    expect(poisoned.status, poisoned.text).to.equal(201);
    const later = (await api.post('/v1/customers', { email: 'later@example.com', name: 'Later' })).body.id as string;
    const failures = async () =>
      ((await app.db.pool.query('select failures from projection_failures where projection = $1', ['customers']))
        .rows[0]?.failures as number | undefined) ?? 0;
    await waitFor(failures, (n) => n >= 4, { what: 'four failed passes', intervalMs: 10 });
    // The batch, then isolated passes that each failed to park: at least two 1 s backoffs between
    // them (spinning would take milliseconds).
    expect(Date.now() - written).to.be.at.least(2000);
    const stuck = await client(app.baseUrl).get('/readyz');
    expect(stuck.status, stuck.text).to.equal(503);
    expect(stuck.body.stuck.map((s: { projection: string }) => s.projection)).to.deep.equal(['customers']);
    expect(await customerIds()).to.not.include(later);

    await app.db.pool.query('alter table parked_events drop constraint test_no_parking');
    await waitFor(customerIds, (ids) => ids.includes(later), { what: 'the projection past the parked event' });
    const parked = await app.db.pool.query('select tenant, event_type from parked_events');
    expect(parked.rows).to.deep.equal([{ tenant: 'tenant-poisoned', event_type: 'CustomerRegistered' }]);
  });

  const customerIds = async () =>
    (await app.db.pool.query<{ id: string }>('select id from customers')).rows.map((r) => r.id);
});
