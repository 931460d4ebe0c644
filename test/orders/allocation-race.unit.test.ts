// Two allocation rounds for one order, interleaved: round A reads what the inventory holds for the
// order, then, before A tells the order, the stock is counted down (the order loses units) and
// round B runs to the end. A's message to the order is now stale. Whatever order the rounds end
// in, the order must end up believing what the inventory holds (the randomized invariant test
// found an order holding 8 by its own account against 6 by the inventory's).
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import { reservedFor } from '../../domain/inventory/level.ts';
import { orderDecider } from '../../domain/orders/decider.ts';
import type { PlacedOrder } from '../../domain/orders/state.ts';
import { foldRecorded } from '../../src/commands/load.ts';
import type { AppendResult, StreamWrite } from '../../src/eventstore/port.ts';
import { countStock } from '../../src/inventory/commands.ts';
import { inventoryStream } from '../../src/inventory/streams.ts';
import { allocateOrder } from '../../src/orders/allocation.ts';
import { orderStream } from '../../src/orders/commands.ts';
import { harness, type History, TENANT } from '../support/command-spec.ts';
import { order, orderPlaced, stock } from '../support/given-events.ts';

async function seed(h: ReturnType<typeof harness>, ...histories: History[]) {
  for (const { stream, events } of histories)
    await h.store.appendToStream(
      stream,
      events.map((e) => ({
        id: randomUUID(),
        type: e.type,
        data: e.data,
        metadata: { tenant: TENANT, actor: 'spec:given', correlationId: 'given', causationId: null },
      })),
    );
}

describe('Allocation: two rounds for one order racing a stock count', () => {
  it('given round A about to tell the order 3, when a count takes 2 away and round B finishes first, then the order ends up holding what the inventory holds', async () => {
    const h = harness();
    await seed(
      h,
      order('ord_1', orderPlaced('ord_1', 'cus_1', [{ sku: 'A', quantity: 3 }])),
      stock('A').received(10).history(),
    );
    const orders = orderStream(TENANT, 'ord_1');

    // The interleaving: the first time round A appends to the order, B's world happens first.
    const appendMany = h.store.appendToStreams.bind(h.store);
    let interleaved = false;
    h.store.appendToStreams = async (writes: readonly StreamWrite[]): Promise<AppendResult[]> => {
      const toOrder = writes.some(
        (w) => w.streamName === orders && w.events.some((e) => e.type === 'OrderAllocationRecorded'),
      );
      if (!interleaved && toOrder) {
        interleaved = true;
        await countStock(h.deps, h.ctx, { sku: 'A', location: 'default', onHand: 1 }); // the order loses 2 units
        await allocateOrder(h.deps, h.ctx, 'ord_1'); // round B, to the end
      }
      return appendMany(writes);
    };
    await allocateOrder(h.deps, h.ctx, 'ord_1'); // round A
    expect(interleaved, 'the race happened').to.equal(true);

    const inventory = foldRecorded(inventoryDecider, await h.store.readStream(inventoryStream(TENANT, 'A', 'default')));
    const placed = foldRecorded(orderDecider, await h.store.readStream(orders)) as PlacedOrder;
    const heldByOrder = Object.values(placed.lines[0]!.reserved).reduce((a, b) => a + b, 0);
    expect(heldByOrder, 'what the order thinks it holds').to.equal(reservedFor(inventory, 'ord_1'));
  });
});
