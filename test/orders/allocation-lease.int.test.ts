// The allocator's lease statement (LEASE_SQL): in one round trip it finds the partitions of the
// oldest demand, leases the free ones and reads their demand, through indexes only, so a batch's
// cost does not grow with the length of the queue.
import { expect } from 'chai';
import pg from 'pg';
import { LEASE_SQL } from '../../src/orders/allocation-lease.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

interface Leased {
  partitions: { tenant: string; sku: string; key: string; leased: boolean }[];
  demand: { id: string; tenant: string; sku: string; order_id: string }[];
}

describe('Allocation lease statement (real Postgres)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let allocator: pg.Client;
  let other: pg.Client;

  before(async () => {
    db = await createTestDatabase();
    allocator = new pg.Client({ connectionString: db.url });
    other = new pg.Client({ connectionString: db.url });
    await Promise.all([allocator.connect(), other.connect()]);
  });
  after(async () => {
    await Promise.all([allocator?.end(), other?.end()]);
    await db?.drop();
  });
  afterEach(async () => {
    await allocator.query('select pg_advisory_unlock_all()');
    await other.query('select pg_advisory_unlock_all()');
    await db.knex('allocation_demand').delete();
  });

  /** Queues `n` rows per SKU, interleaved (row i of every SKU before row i + 1 of any). */
  async function queue(skus: readonly string[], n: number, tenant = 't1'): Promise<void> {
    const rows = [];
    for (let i = 0; i < n; i++) for (const sku of skus) rows.push({ tenant, sku, order_id: `ord_${sku}_${i}` });
    for (let at = 0; at < rows.length; at += 5_000)
      await db.knex('allocation_demand').insert(rows.slice(at, at + 5_000));
  }

  const lease = async (skip: string[], limit: number): Promise<Leased> =>
    (await allocator.query<Leased>(LEASE_SQL, [skip, limit])).rows[0]!;

  it('given demand on three SKUs, one leased by another allocator, when leasing, then it leases the other two and reads only their oldest rows, in arrival order', async () => {
    await queue(['A', 'B', 'C'], 4);
    await other.query("select pg_advisory_lock(hashtextextended('oms-allocation:t1:B', 0))");

    const { partitions, demand } = await lease([], 6);

    expect(partitions.map((p) => [p.sku, p.leased]).sort()).to.deep.equal([
      ['A', true],
      ['B', false],
      ['C', true],
    ]);
    expect(demand.map((d) => d.order_id)).to.deep.equal([
      'ord_A_0',
      'ord_C_0',
      'ord_A_1',
      'ord_C_1',
      'ord_A_2',
      'ord_C_2',
    ]);
    expect(demand.every((d) => typeof d.id === 'string' && d.tenant === 't1')).to.equal(true);
    // The leases are held by the allocator's session until it lets them go.
    const held = await other.query("select pg_try_advisory_lock(hashtextextended('oms-allocation:t1:A', 0)) as ok");
    expect(held.rows[0].ok).to.equal(false);
  });

  it('given lease keys to skip, when leasing, then it looks past them; with nothing else queued it finds no partition', async () => {
    await queue(['A', 'B'], 2);
    const past = await lease(['oms-allocation:t1:A'], 10);
    expect(past.partitions.map((p) => p.sku)).to.deep.equal(['B']);
    expect(past.demand.map((d) => d.sku)).to.deep.equal(['B', 'B']);
    await allocator.query('select pg_advisory_unlock_all()');
    const none = await lease(['oms-allocation:t1:A', 'oms-allocation:t1:B'], 10);
    expect(none).to.deep.equal({ partitions: [], demand: [] });
  });

  it('given a long queue, when planned as a prepared statement is, then every read of the queue is an index scan', async () => {
    await queue(['A', 'B', 'C'], 20_000);
    for (const analyzed of [false, true]) {
      // A queue never analyzed (autovacuum off) and one with statistics.
      if (analyzed) await allocator.query('analyze allocation_demand');
      await allocator.query('set plan_cache_mode = force_generic_plan');
      await allocator.query(`prepare lease_plan(text[], int) as ${LEASE_SQL}`);
      try {
        const plan = (await allocator.query("explain execute lease_plan('{}', 500)")).rows
          .map((r: Record<string, string>) => Object.values(r)[0])
          .join('\n');
        expect(plan, `analyzed: ${analyzed}`).to.not.match(/Seq Scan on allocation_demand/);
        expect(plan).to.match(/Index Scan using allocation_demand_partition on allocation_demand/);
      } finally {
        await allocator.query('deallocate all');
        await allocator.query('reset plan_cache_mode');
      }
    }
  });
});
