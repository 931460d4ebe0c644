// The demand queue's writer: rows keep the order they are given (the allocators serve FIFO by id),
// and the notification that wakes the allocators tells them how many rows name no SKU.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { DEMAND_CHANNEL, type DemandRow, insertDemand } from '../../src/orders/allocation-demand.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';

describe('Allocation demand queue: insertDemand (real Postgres)', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let listener: pg.Client;
  const payloads: string[] = [];

  before(async () => {
    db = await createTestDatabase();
    listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    listener.on('notification', (n) => payloads.push(n.payload ?? ''));
    await listener.query(`LISTEN ${DEMAND_CHANNEL}`);
  });
  after(async () => {
    await listener?.end();
    await db?.drop();
  });

  const row = (i: number, sku: string): DemandRow => ({
    tenant: 't1',
    sku,
    order_id: `ord_${String(i).padStart(4, '0')}`,
    location: i % 2 ? 'east' : '',
    cause: randomUUID(),
    correlation_id: `c${i}`,
  });

  it('queues the rows in the order given, in one transaction with its notification', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => row(i, i % 50 === 7 ? '' : `SKU-${i % 3}`));
    await db.knex.transaction(async (trx) => {
      await insertDemand(trx, rows);
      // Not before the commit.
      await new Promise((r) => setTimeout(r, 50));
      expect(payloads).to.deep.equal([]);
    });
    const stored = await db.knex('allocation_demand').orderBy('id').select('*');
    expect(stored.map((r) => r.order_id)).to.deep.equal(rows.map((r) => r.order_id));
    expect(stored[1]).to.include({ tenant: 't1', sku: 'SKU-1', location: 'east', correlation_id: 'c1' });
    expect(stored[1].cause).to.equal(rows[1]!.cause);
    await waitFor(
      async () => payloads.length,
      (n) => n === 1,
      { what: 'the notification' },
    );
    expect(payloads, 'rows naming no SKU').to.deep.equal(['4']);
  });

  it('queues nothing and says nothing for no rows', async () => {
    const before = await db.knex('allocation_demand').count('* as n');
    await insertDemand(db.knex, []);
    expect(await db.knex('allocation_demand').count('* as n')).to.deep.equal(before);
  });
});
