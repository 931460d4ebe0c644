import { expect } from 'chai';
import { customersProjection } from '../../projections/customers.ts';
import { HELD_BACK, retryParked } from '../../src/projector/parking.ts';
import { verifyProjection } from '../../src/projector/rebuild.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { newCustomer } from '../support/oms.ts';
import { waitFor } from '../support/wait.ts';

// Once an event of a stream is parked, the stream's later events are parked behind it rather than
// applied: the read models skip an event at or below a row's version, so a later event applied
// first would turn the retry of the parked one into a silent no-op (the row would never get its
// change, and verify would differ from a replay). The poison: a trigger refusing one name.
const POISON = 'POISON';
const installPoison = `
  create function test_poison_customers() returns trigger language plpgsql as $$
  begin
    if new.name = '${POISON}' then raise exception 'refused: poisoned name'; end if;
    return new;
  end $$;
  create trigger test_poison before insert or update on customers for each row execute function test_poison_customers();`;
const cure = 'drop trigger test_poison on customers';

describe('Projector: the later events of a stream with a parked event are held back, then applied in order', function () {
  this.timeout(120_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;

  before(async () => {
    app = await startTestApp({ projectorRetry: { parkAfter: 2, baseDelayMs: 50, maxDelayMs: 200 } });
    api = client(app.baseUrl, (await app.key(['*'], 'tenant-held')).key);
    await app.db.pool.query(installPoison);
  });
  after(async () => app?.stop());

  const sql = async <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    (await app.db.pool.query(text, values)).rows as T[];

  it('given a parked rename, when the phone changes next, then both land in the row after the fix and verify equals a replay', async () => {
    const cus = await newCustomer(api);
    await waitFor(
      () => sql('select 1 from customers where id = $1', [cus]),
      (rows) => rows.length === 1,
      { what: 'the customer row' },
    );
    expect((await api.patch(`/v1/customers/${cus}`, { name: POISON })).status).to.equal(200);
    const phoned = await api.patch(`/v1/customers/${cus}`, { phone: '+31201234567' });
    expect(phoned.status, phoned.text).to.equal(200);

    // Both events parked, the second one without being tried.
    const parked = await waitFor(
      () =>
        sql<{ revision: string; error: string }>(
          `select revision, error from parked_events where projection = 'customers' and stream_name like $1 order by revision`,
          [`%:customer:${cus}`],
        ),
      (rows) => rows.length === 2,
      { what: 'the rename and the phone change parked' },
    );
    expect(parked.map((r) => Number(r.revision))).to.deep.equal([1, 2]);
    expect(parked[1]!.error).to.equal(HELD_BACK);
    const [row] = await sql<{ name: string; version: number }>('select name, version from customers where id = $1', [
      cus,
    ]);
    expect(row, 'the row has neither change').to.include({ name: 'Buyer', version: 1 });

    // A retry while the poison is still there applies neither: the later one stays behind.
    const early = await retryParked(app.runtime.services.knex, app.runtime.services.store, customersProjection);
    expect(early.map((r) => r.outcome)).to.deep.equal(['failed', 'held']);

    await app.db.pool.query(cure);
    const results = await retryParked(app.runtime.services.knex, app.runtime.services.store, customersProjection);
    expect(results.map((r) => r.outcome)).to.deep.equal(['applied', 'applied']);
    const [repaired] = await sql<{ name: string; phone: string; version: number }>(
      'select name, phone, version from customers where id = $1',
      [cus],
    );
    expect(repaired).to.include({ name: POISON, version: 3 });
    const got = await api.get(`/v1/customers/${cus}`);
    expect(got.headers.get('oms-read-source')).to.equal('read-model');
    expect(got.body).to.deep.equal(phoned.body);

    const verify = await verifyProjection({
      knex: app.runtime.services.knex,
      store: app.runtime.services.store,
      projection: customersProjection,
    });
    expect(verify.differences).to.deep.equal([]);
  });
});
