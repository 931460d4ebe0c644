// handleCommand({ newStream: true }) skips the read of a stream named after a freshly made id; the
// append still insists on no_stream, so a clash is decided again on what is really there.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { OrderCommand } from '../../domain/orders/commands.ts';
import { orderDecider } from '../../domain/orders/decider.ts';
import { DomainError } from '../../domain/shared/errors.ts';
import type { CommandContext } from '../../src/commands/context.ts';
import { handleCommand } from '../../src/commands/handle.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('handleCommand on a new stream (real Postgres)', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let store: EventStore;
  const tenant = `t${randomUUID().slice(0, 8)}`;
  const ctx: CommandContext = {
    tenant,
    actor: 'test',
    correlationId: 'c',
    causationId: null,
    now: '2026-11-28T10:00:00.000Z',
  };
  const place = (orderId: string): OrderCommand => ({
    type: 'PlaceOrder',
    data: {
      orderId,
      customerId: 'cus_1',
      currency: 'EUR',
      lines: [{ sku: 'A', quantity: 1, unitPrice: 100 }],
      shippingAddress: { line1: '1 Quay St', city: 'Bristol', country: 'GB' },
      externalId: null,
      notes: null,
      now: ctx.now,
    },
  });
  before(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool, { pollIntervalMs: 5 });
  });
  after(async () => db.drop());

  it('given nothing, when placed as a new stream, then one event at revision 0 without reading first', async () => {
    const stream = `${tenant}:order:ord_a`;
    let reads = 0;
    const counting: EventStore = Object.create(store);
    counting.readStream = (...a) => {
      reads += 1;
      return store.readStream(...a);
    };
    const res = await handleCommand({
      store: counting,
      stream,
      decider: orderDecider,
      newStream: true,
      ctx,
      command: place('ord_a'),
    });
    expect(res.version).to.equal(1);
    expect(reads).to.equal(0);
    expect((await store.readStream(stream)).map((e) => e.type)).to.deep.equal(['OrderPlaced']);
  });

  it('given the stream exists after all, when placed as a new stream, then the conflict is read and refused by the decider; nothing is appended', async () => {
    const stream = `${tenant}:order:ord_b`;
    await handleCommand({ store, stream, decider: orderDecider, ctx, command: place('ord_b') });
    const err = await handleCommand({
      store,
      stream,
      decider: orderDecider,
      newStream: true,
      ctx,
      command: place('ord_b'),
    }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DomainError);
    expect((err as DomainError).code).to.equal('order_already_exists');
    expect(await store.readStream(stream)).to.have.length(1);
  });
});
