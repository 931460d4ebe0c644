// The inventory state cache against the real Postgres event store: a second store instance plays
// another process writing the same streams.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { InventoryCommand } from '../../domain/inventory/commands.ts';
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import { reservedFor } from '../../domain/inventory/level.ts';
import type { CommandContext } from '../../src/commands/context.ts';
import { handleCommand } from '../../src/commands/handle.ts';
import { StreamStateCache } from '../../src/commands/state-cache.ts';
import type { EventStore, ReadStreamOptions } from '../../src/eventstore/port.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { inventoryStream } from '../../src/inventory/streams.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/** The real store, recording what each readStream asked for. */
function recordingReads(store: EventStore) {
  const reads: (ReadStreamOptions | undefined)[] = [];
  const wrapped: EventStore = Object.create(store);
  wrapped.readStream = async (stream, options) => {
    reads.push(options);
    return store.readStream(stream, options);
  };
  return { store: wrapped, reads };
}

describe('Stream state cache (inventory streams, real Postgres)', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  const tenant = `t${randomUUID().slice(0, 8)}`;
  const ctx: CommandContext = {
    tenant,
    actor: 'test',
    correlationId: 'c',
    causationId: null,
    now: '2026-11-28T10:00:00.000Z',
  };
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db.drop());

  const run = (
    store: EventStore,
    stream: string,
    command: InventoryCommand,
    cache?: StreamStateCache<ReturnType<typeof inventoryDecider.initialState>>,
  ) => handleCommand({ store, stream, decider: inventoryDecider, ctx, command, ...(cache ? { cache } : {}) });
  const adjust = (delta: number): InventoryCommand => ({
    type: 'AdjustStock',
    data: { sku: 'A', location: 'default', delta, reason: 'received', reference: null, now: ctx.now },
  });
  const reserve = (orderId: string, quantity: number): InventoryCommand => ({
    type: 'ReserveStock',
    data: { sku: 'A', location: 'default', orderId, quantity, now: ctx.now },
  });

  it('given a cached stream, when another process appends, then a load reads only the new events and equals a full fold', async () => {
    const stream = inventoryStream(tenant, 'A', 'default');
    const here = recordingReads(new PostgresEventStore(db.pool, { pollIntervalMs: 5 }));
    const elsewhere = new PostgresEventStore(db.pool, { pollIntervalMs: 5 });
    const cache = new StreamStateCache(inventoryDecider);

    await run(here.store, stream, adjust(10), cache);
    for (let i = 0; i < 5; i++) await run(here.store, stream, reserve(`ord_${i}`, 1), cache);
    await run(elsewhere, stream, reserve('ord_x', 2)); // behind this cache's back
    here.reads.length = 0;

    const loaded = await cache.load(here.store, stream);
    expect(here.reads).to.deep.equal([{ fromRevision: 6 }]);
    expect(loaded.version).to.equal(7);
    const full = (await elsewhere.readStream(stream)).reduce(
      (s, e) => inventoryDecider.evolve(s, e as never),
      inventoryDecider.initialState(),
    );
    expect(loaded.state).to.deep.equal(full);
    expect(reservedFor(loaded.state, 'ord_x')).to.equal(2);
  });

  it('given a stale cache, when a command appends, then the conflict is decided again on the fresh state (never lost, never doubled)', async () => {
    const stream = inventoryStream(tenant, 'B', 'default');
    const store = new PostgresEventStore(db.pool, { pollIntervalMs: 5 });
    const cacheA = new StreamStateCache(inventoryDecider);
    const cacheB = new StreamStateCache(inventoryDecider);
    const adjustB: InventoryCommand = {
      type: 'AdjustStock',
      data: { sku: 'B', location: 'default', delta: 3, reason: 'received', reference: null, now: ctx.now },
    };
    const reserveB = (orderId: string): InventoryCommand => ({
      type: 'ReserveStock',
      data: { sku: 'B', location: 'default', orderId, quantity: 2, now: ctx.now },
    });
    await run(store, stream, adjustB, cacheA);
    await cacheB.load(store, stream);
    // Two "processes" race for 3 units with 2 each, both starting from a cached state.
    const [a, b] = await Promise.all([
      run(store, stream, reserveB('ord_a'), cacheA),
      run(store, stream, reserveB('ord_b'), cacheB),
    ]);
    const events = await store.readStream(stream);
    const state = events.reduce((s, e) => inventoryDecider.evolve(s, e as never), inventoryDecider.initialState());
    expect(state.reserved).to.equal(3); // 2 + the 1 left: FIFO grants what is there, no more
    expect(reservedFor(state, 'ord_a') + reservedFor(state, 'ord_b')).to.equal(3);
    expect(Math.max(a.version, b.version)).to.equal(events.length);
    for (const c of [cacheA, cacheB]) expect((await c.load(store, stream)).state).to.deep.equal(state);
  });

  it('keeps at most its limit of streams, dropping the least recently used', async () => {
    const store = new PostgresEventStore(db.pool, { pollIntervalMs: 5 });
    const cache = new StreamStateCache(inventoryDecider, 2);
    const streams = ['C1', 'C2', 'C3'].map((sku) => inventoryStream(tenant, sku, 'default'));
    for (const [i, s] of streams.entries()) {
      await run(
        store,
        s,
        {
          type: 'AdjustStock',
          data: { sku: `C${i + 1}`, location: 'default', delta: 1, reason: 'received', reference: null, now: ctx.now },
        },
        cache,
      );
    }
    expect(cache.size).to.equal(2);
    const counted = recordingReads(store);
    await cache.load(counted.store, streams[0]!); // evicted: read from the start
    await cache.load(counted.store, streams[2]!); // kept: read the (empty) tail only
    expect(counted.reads).to.deep.equal([{ fromRevision: 0 }, { fromRevision: 1 }]);
  });
});
