// A seeded property of the allocation process manager (fast-check is not a dependency; the seeds
// come from test/support/prng.ts, so a failure replays exactly): whatever random sequence of
// orders, restocks, write-offs, changes, cancels, allocations and drains runs, every inventory
// stream keeps 0 ≤ reserved ≤ onHand, and once every order has had an allocation round the
// orders agree with the inventory and cancelled orders hold nothing.
import { expect } from 'chai';
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import { reservedFor } from '../../domain/inventory/level.ts';
import { DomainError } from '../../domain/shared/errors.ts';
import { foldRecorded } from '../../src/commands/load.ts';
import { registerCustomer } from '../../src/customers/commands.ts';
import { adjustStock } from '../../src/inventory/commands.ts';
import { inventoryStream } from '../../src/inventory/streams.ts';
import { allocateOrder, drainBackorders } from '../../src/orders/allocation.ts';
import { cancelOrder, loadOrder, placeOrder, updateOrder } from '../../src/orders/commands.ts';
import { harness, TENANT, type Harness } from '../support/command-spec.ts';
import { ADDRESS, orderLines } from '../support/given-events.ts';
import { mulberry32 } from '../support/prng.ts';

const SKUS = ['A', 'B'];
const LOCATIONS = ['default', 'east'];
const SEEDS = Array.from({ length: 20 }, (_, i) => 1000 + i);
const STEPS = 40;

/** Refusals are part of the game (a write-off below zero, a cancel twice); anything else is a failure. */
const refusedOk = (err: unknown) => {
  if (!(err instanceof DomainError)) throw err;
};

async function levels(h: Harness) {
  const out = [];
  for (const sku of SKUS)
    for (const location of LOCATIONS) {
      const s = foldRecorded(inventoryDecider, await h.store.readStream(inventoryStream(TENANT, sku, location)));
      out.push({ sku, location, s });
    }
  return out;
}

async function run(seed: number): Promise<{ orders: string[]; refused: number; moves: number }> {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const n = (max: number) => 1 + Math.floor(rand() * max);
  const h = harness();
  const { customer } = await registerCustomer(h.deps, h.request(), {
    pii: { email: 'prop@example.com', name: 'Prop', phone: null, addresses: [] },
    externalId: null,
  });
  const orders: string[] = [];
  const randomLines = () => orderLines(SKUS.filter(() => rand() < 0.7).map((sku) => ({ sku, quantity: n(3) })));
  let refused = 0;
  const attempt = (p: Promise<unknown>) =>
    p.catch((err) => {
      refusedOk(err);
      refused++;
    });

  for (let step = 0; step < STEPS; step++) {
    const ctx = h.request();
    const op = pick(['place', 'restock', 'write-off', 'update', 'cancel', 'allocate', 'allocate', 'drain'] as const);
    if (op === 'place') {
      const lines = randomLines();
      if (lines.length === 0) continue;
      const { order } = await placeOrder(h.deps, ctx, {
        customerId: customer.id,
        currency: 'EUR',
        lines,
        shippingAddress: ADDRESS,
        externalId: null,
        notes: null,
      });
      orders.push(order.id);
    } else if (op === 'restock' || op === 'write-off') {
      const delta = op === 'restock' ? n(4) : -n(3);
      const reason = delta > 0 ? 'received' : 'damaged';
      await attempt(
        adjustStock(h.deps, ctx, { sku: pick(SKUS), location: pick(LOCATIONS), delta, reason, reference: null }),
      );
    } else if (orders.length > 0) {
      const orderId = pick(orders);
      if (op === 'update') {
        const lines = randomLines();
        if (lines.length) await attempt(updateOrder(h.deps, ctx, { orderId, lines }));
      } else if (op === 'cancel') await attempt(cancelOrder(h.deps, ctx, { orderId, reason: 'random' }));
      else if (op === 'allocate') await allocateOrder(h.deps, ctx, orderId);
      else await drainBackorders(h.deps, ctx, pick(SKUS), pick(LOCATIONS));
    }
    for (const { sku, location, s } of await levels(h)) {
      const where = `seed ${seed}, step ${step} (${op}), ${sku}@${location}`;
      expect(s.reserved, where).to.be.within(0, s.onHand);
      expect(
        s.reservations.reduce((sum, q) => sum + q, 0),
        where,
      ).to.equal(s.reserved);
    }
  }

  // Every order has its round (as the jobs would): then the orders and the inventory agree.
  for (const orderId of orders) await allocateOrder(h.deps, h.request(), orderId);
  const stock = await levels(h);
  for (const orderId of orders) {
    const { state } = await loadOrder(h.store, TENANT, orderId);
    if (state.status === 'none') throw new Error(`seed ${seed}: order ${orderId} vanished`);
    for (const { sku, location, s } of stock) {
      const held = reservedFor(s, orderId);
      const where = `seed ${seed}, ${orderId} ${state.status}, ${sku}@${location}`;
      if (state.status === 'cancelled') expect(held, where).to.equal(0);
      else expect(state.lines.find((l) => l.sku === sku)?.reserved[location] ?? 0, where).to.equal(held);
    }
  }
  const moves = await h.store.readAll({ maxCount: 1e6, types: ['StockReserved', 'ReservationReleased'] });
  return { orders, refused, moves: moves.length };
}

describe('Allocation invariants (seeded random sequences, memory store)', () => {
  it(`${SEEDS.length} seeds × ${STEPS} steps: 0 ≤ reserved ≤ onHand always; after a round each, orders agree with the inventory`, async () => {
    let orders = 0;
    let refused = 0;
    let moves = 0;
    for (const seed of SEEDS) {
      const r = await run(seed);
      orders += r.orders.length;
      refused += r.refused;
      moves += r.moves;
    }
    // The sequences did something worth checking.
    expect(orders).to.be.greaterThan(SEEDS.length * 3);
    expect(refused).to.be.greaterThan(0);
    expect(moves, 'reservations made and released').to.be.greaterThan(orders);
  });
});
