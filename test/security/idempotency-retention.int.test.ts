// Idempotency records hold response bodies (customers, shipping addresses): they are kept only
// for the 24 h they are replayed. The worker's scheduled purge deletes older ones in bounded
// batches, and forgetting a customer deletes every record whose response named them.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { REDIS_URL } from '../support/database.ts';
import { adjust } from '../support/oms.ts';
import { spawnOms } from '../support/process.ts';
import { waitFor } from '../support/wait.ts';

describe('Idempotency records: retention and forget', function () {
  this.timeout(90_000);
  let app: TestApp;
  before(async () => {
    // The worker starts later, in the test that needs it: a scheduled purge must not run early.
    app = await startTestApp({ roles: ['api'] });
  });
  after(async () => app?.stop());

  const insertRecord = (tenant: string, key: string, age: string, body: unknown) =>
    app.db.pool.query(
      `insert into idempotency_keys (tenant, key, fingerprint, state, locked_until, response_status, response_body, response_headers, created_at)
       values ($1, $2, 'f', 'done', now() - $3::interval, 201, $4::jsonb, '{}', now() - $3::interval)`,
      [tenant, key, age, JSON.stringify(body)],
    );
  const keysOf = async (tenant: string) =>
    (
      await app.db.pool.query<{ key: string }>('select key from idempotency_keys where tenant = $1 order by key', [
        tenant,
      ])
    ).rows.map((r) => r.key);

  it('forget deletes the records whose responses named the customer (customer and order)', async () => {
    const { key, tenant } = await app.key(['*']);
    const api = client(app.baseUrl, key);
    const created = await api.post(
      '/v1/customers',
      {
        email: 'idem.victim@example.com',
        name: 'Idem Victim',
        addresses: [{ line1: '9 Replay Row', city: 'Keysby', country: 'GB' }],
      },
      { 'Idempotency-Key': 'cus-1' },
    );
    expect(created.status, created.text).to.equal(201);
    const other = await api.post(
      '/v1/customers',
      { email: 'someone.else@example.com', name: 'Someone Else', addresses: [] },
      { 'Idempotency-Key': 'cus-2' },
    );
    expect(other.status, other.text).to.equal(201);
    await adjust(api, 'IDEM-1', 5);
    const order = await api.post(
      '/v1/orders',
      {
        customerId: created.body.id,
        currency: 'EUR',
        lines: [{ sku: 'IDEM-1', quantity: 1, unitPrice: 1000 }],
        shippingAddress: { line1: '9 Replay Row', city: 'Keysby', country: 'GB' },
      },
      { 'Idempotency-Key': 'ord-1' },
    );
    expect(order.status, order.text).to.equal(201);
    expect(await keysOf(tenant)).to.include.members(['cus-1', 'cus-2', 'ord-1']);

    const forgot = await api.delete(`/v1/customers/${created.body.id}/personal-data`);
    expect(forgot.status, forgot.text).to.equal(200);

    const left = (
      await app.db.pool.query<{ key: string; body: string }>(
        'select key, response_body::text as body from idempotency_keys where tenant = $1',
        [tenant],
      )
    ).rows;
    const text = left.map((r) => r.body).join('\n');
    expect(text).to.not.include('Idem Victim');
    expect(text).to.not.include('idem.victim@example.com');
    expect(text).to.not.include('Replay Row');
    expect(text).to.not.include(created.body.id);
    // Another customer's record stays.
    expect(left.map((r) => r.key)).to.include('cus-2');
  });

  it('the purge deletes records past retention in bounded batches and keeps fresh ones', async () => {
    const { purgeExpiredIdempotencyRecords } = await import('../../src/commands/idempotency-records.ts');
    const tenant = 'purge-batches';
    await app.db.pool.query(
      `insert into idempotency_keys (tenant, key, fingerprint, state, locked_until, created_at)
       select $1, 'old-' || i, 'f', 'done', now() - interval '25 hours', now() - interval '25 hours'
         from generate_series(1, 2500) i`,
      [tenant],
    );
    await insertRecord(tenant, 'fresh', '1 hour', { id: 'x' });
    const deleted = await purgeExpiredIdempotencyRecords(app.db.knex, { batchSize: 1000 });
    expect(deleted).to.equal(2500);
    expect(await keysOf(tenant)).to.deep.equal(['fresh']);
  });

  it('oms idempotency purge deletes the records past retention', async () => {
    const tenant = 'purge-cli';
    await insertRecord(tenant, 'expired', '25 hours', { id: 'cus_z' });
    await insertRecord(tenant, 'fresh', '1 hour', { id: 'cus_w' });
    const p = spawnOms(['idempotency', 'purge', '--json'], {
      DATABASE_URL: app.db.url,
      REDIS_URL,
      OMS_REDIS_PREFIX: app.redisPrefix,
      LOG_LEVEL: 'warn',
    });
    expect(await p.exited, p.output()).to.equal(0);
    expect(JSON.parse(p.output().trim().split('\n').at(-1)!)).to.deep.equal({ deleted: 1 });
    expect(await keysOf(tenant)).to.deep.equal(['fresh']);
  });

  it('the worker schedules the purge: a record past retention is gone once it runs', async () => {
    const tenant = 'purge-scheduled';
    await insertRecord(tenant, 'expired', '25 hours', { id: 'cus_x', name: 'Kept Forever' });
    await insertRecord(tenant, 'fresh', '1 hour', { id: 'cus_y' });
    await app.runtime.start(['worker']);
    await waitFor(
      () => keysOf(tenant),
      (keys) => keys.length === 1,
      { what: 'the scheduled purge', timeoutMs: 60_000 },
    );
    expect(await keysOf(tenant)).to.deep.equal(['fresh']);
  });
});
