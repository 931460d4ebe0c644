// A property (fast-check) of returns mixed with everything that moves stock or money: random
// sequences of orders (with discounts, tax and shipping), allocation rounds and backorder drains,
// partial shipments, line cancels, restocks, payments (authorized, captured, some refused), returns
// requested (some two at once on one order), approved, rejected and received as resellable or
// damaged at random locations, and refunds. After every step, on the memory store:
//   - every inventory stream keeps 0 ≤ Σ reserved ≤ onHand (and reserved = Σ reservations);
//   - Σ onHand = restocked + received back resellable − shipped: damaged units never go on hand,
//     so they are never available, and every damaged unit is in the ledger (DamagedStockReturned);
//   - no order has more units claimed by returns that were not rejected than it shipped, and no
//     return received more than it asked for;
//   - every order's money is exact: total = Σ quantity × unitPrice − Σ discount + Σ tax + shipping,
//     refunded = Σ refunds ≤ captured ≤ total.
// fast-check shrinks a failing sequence and prints its seed and path, so a failure replays exactly.
import { expect } from 'chai';
import fc from 'fast-check';
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import { totalsOf } from '../../domain/orders/money.ts';
import { shippedOf } from '../../domain/orders/state.ts';
import { returnDecider } from '../../domain/returns/decider.ts';
import type { Condition } from '../../domain/returns/events.ts';
import { receivedOf, refundedOf, requestedOf, returnValueOf } from '../../domain/returns/state.ts';
import { DomainError } from '../../domain/shared/errors.ts';
import { foldRecorded } from '../../src/commands/load.ts';
import { registerCustomer } from '../../src/customers/commands.ts';
import { adjustStock } from '../../src/inventory/commands.ts';
import { inventoryStream } from '../../src/inventory/streams.ts';
import { allocateOrder, drainBackorders } from '../../src/orders/allocation.ts';
import { cancelOrder, loadOrder, placeOrder, recordPayment } from '../../src/orders/commands.ts';
import {
  approveReturn,
  receiveReturn,
  recordReturnRefund,
  rejectReturn,
  requestReturn,
} from '../../src/returns/commands.ts';
import { returnStream } from '../../src/returns/streams.ts';
import { createShipment } from '../../src/shipments/commands.ts';
import { harness, TENANT } from '../support/command-spec.ts';
import { ADDRESS } from '../support/given-events.ts';

const SKUS = ['A', 'B'] as const;
const LOCATIONS = ['default', 'east'] as const;

const sku = fc.constantFrom(...SKUS);
const location = fc.constantFrom(...LOCATIONS);
const qty = fc.integer({ min: 1, max: 3 });
const pick = fc.nat(); // an index into what exists when the step runs (modulo its length)
// Weighted so that sequences reach returns: stock in, orders placed and shipped, then returns.
const op = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('place' as const),
      lines: fc.uniqueArray(
        fc.record({ sku, quantity: qty, discount: fc.integer({ min: 0, max: 900 }), tax: fc.nat(500) }),
        { minLength: 1, maxLength: 2, selector: (l) => l.sku },
      ),
      shipping: fc.nat(700),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('restock' as const), sku, location, quantity: qty }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('allocate' as const), order: pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drain' as const), sku, location }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('ship' as const), order: pick, quantity: qty }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('return' as const),
      order: pick,
      quantity: qty,
      twice: fc.boolean(),
      anyQuantity: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('approve' as const), ret: pick, anyReturn: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cancelLines' as const), order: pick, quantity: qty }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('pay' as const),
      order: pick,
      type: fc.constantFrom('authorized' as const, 'captured' as const, 'voided' as const),
      amount: fc.integer({ min: 1, max: 6000 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('refund' as const),
      ret: pick,
      amount: fc.integer({ min: 1, max: 3000 }),
      captureFirst: fc.boolean(),
      anyReturn: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('reject' as const), ret: pick, anyReturn: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('receive' as const),
      ret: pick,
      quantity: qty,
      condition: fc.constantFrom<Condition>('resellable', 'damaged'),
      location,
      anyReturn: fc.boolean(),
    }),
  },
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** Refusals are part of the game (returning what never shipped, receiving too much); anything else fails. */
const refusedOk = (err: unknown) => {
  if (!(err instanceof DomainError)) throw err;
};

interface Tally {
  restocked: number;
  resellable: number;
  damaged: number;
  steps: Record<string, number>;
}

async function run(ops: Op[], tally: Tally): Promise<void> {
  const h = harness();
  const { customer } = await registerCustomer(h.deps, h.request(), {
    pii: { email: 'returns@example.com', name: 'Prop', phone: null, addresses: [] },
    externalId: null,
  });
  const orders: string[] = [];
  const returns: string[] = [];
  let restocked = 0;
  const attempt = async (p: Promise<unknown>) => {
    try {
      await p;
      return true;
    } catch (err) {
      refusedOk(err);
      return false;
    }
  };

  for (const [step, o] of ops.entries()) {
    const ctx = h.request();
    let done = false;
    switch (o.op) {
      case 'place': {
        const { order } = await placeOrder(h.deps, ctx, {
          customerId: customer.id,
          currency: 'EUR',
          lines: o.lines.map((l) => ({
            sku: l.sku,
            quantity: l.quantity,
            unitPrice: 1000,
            discount: l.discount,
            tax: l.tax,
          })),
          shipping: { amount: o.shipping, method: null },
          shippingAddress: ADDRESS,
          externalId: null,
          notes: null,
        });
        orders.push(order.id);
        await allocateOrder(h.deps, h.request(), order.id);
        done = true;
        break;
      }
      case 'restock':
        await adjustStock(h.deps, ctx, { ...o, delta: o.quantity, reason: 'received', reference: null });
        restocked += o.quantity;
        // As the allocation-demand projection would: stock in wakes the SKU's wait list.
        await drainBackorders(h.deps, h.request(), o.sku, o.location);
        done = true;
        break;
      case 'allocate':
        if (orders.length) await allocateOrder(h.deps, ctx, orders[o.order % orders.length]!);
        break;
      case 'drain':
        await drainBackorders(h.deps, ctx, o.sku, o.location);
        break;
      case 'ship': {
        if (!orders.length) break;
        const orderId = orders[o.order % orders.length]!;
        const { state } = await loadOrder(h.store, TENANT, orderId);
        if (state.status === 'none') break;
        const held = state.lines.flatMap((l) => Object.entries(l.reserved).map(([loc, n]) => ({ sku: l.sku, loc, n })));
        const at = held[0];
        if (!at) break;
        done = await attempt(
          createShipment(h.deps, ctx, {
            orderId,
            lines: [{ sku: at.sku, quantity: Math.min(o.quantity, at.n) }],
            location: at.loc,
            carrier: 'dhl',
            trackingNumber: null,
            service: null,
          }),
        );
        break;
      }
      case 'return': {
        // A line that shipped something, of an order that shipped something (the quantity may be too much).
        const shippedLines = [];
        for (const id of orders) {
          const { state } = await loadOrder(h.store, TENANT, id);
          if (state.status !== 'none')
            for (const l of state.lines)
              if (shippedOf(l) > 0) shippedLines.push({ orderId: id, sku: l.sku, shipped: shippedOf(l) });
        }
        if (!shippedLines.length) break;
        const { orderId, sku: lineSku, shipped } = shippedLines[o.order % shippedLines.length]!;
        // Mostly no more than shipped (earlier returns may still make it too much); sometimes whatever was drawn.
        const quantity = o.anyQuantity ? o.quantity : Math.min(o.quantity, shipped);
        const ask = () =>
          requestReturn(h.deps, h.request(), {
            orderId,
            lines: [{ sku: lineSku, quantity, reason: 'unwanted' }],
            note: null,
          }).then((r) => returns.push(r.return.id));
        // Two at once on one order: together they must not claim more than shipped either.
        const results = await Promise.all((o.twice ? [ask(), ask()] : [ask()]).map(attempt));
        done = results.some(Boolean);
        break;
      }
      case 'cancelLines': {
        // Some unshipped units of a line (maybe more than are left: a refusal), then the allocator
        // gives back what the order no longer needs, as the allocation-demand projection would have it.
        if (!orders.length) break;
        const orderId = orders[o.order % orders.length]!;
        const { state } = await loadOrder(h.store, TENANT, orderId);
        if (state.status === 'none') break;
        const line = state.lines[o.quantity % state.lines.length]!;
        done = await attempt(
          cancelOrder(h.deps, ctx, { orderId, reason: 'random', lines: [{ sku: line.sku, quantity: o.quantity }] }),
        );
        if (done) await allocateOrder(h.deps, h.request(), orderId);
        break;
      }
      case 'pay': {
        if (!orders.length) break;
        const orderId = orders[o.order % orders.length]!;
        done = await attempt(
          recordPayment(h.deps, ctx, { orderId, type: o.type, amount: o.amount, reference: `ref-${step}` }),
        );
        break;
      }
      case 'refund': {
        // Mostly a return that can be refunded, for no more than its units are still worth; sometimes
        // any return and whatever amount was drawn (a refusal, often).
        const candidates = o.anyReturn
          ? returns
          : await inStatus(h, returns, ['approved', 'partially_received', 'received']);
        if (!candidates.length) break;
        const id = candidates[o.ret % candidates.length]!;
        const r = foldRecorded(returnDecider, await h.store.readStream(returnStream(TENANT, id)));
        if (r.status === 'none') break;
        const amount = o.anyReturn ? o.amount : Math.min(o.amount, returnValueOf(r) - refundedOf(r));
        if (amount < 1) break;
        // Mostly after a capture on the return's order (else nearly every refund is refused).
        if (o.captureFirst)
          await attempt(
            recordPayment(h.deps, h.request(), {
              orderId: r.orderId,
              type: 'captured',
              amount,
              reference: `cap-${step}`,
            }),
          );
        done = await attempt(recordReturnRefund(h.deps, ctx, id, { amount, reference: `rf-${step}` }));
        break;
      }
      case 'approve':
      case 'reject': {
        // Mostly a return that can take it; sometimes any (a refusal).
        const candidates = o.anyReturn ? returns : await inStatus(h, returns, ['requested']);
        if (!candidates.length) break;
        const id = candidates[o.ret % candidates.length]!;
        done = await attempt(
          o.op === 'approve' ? approveReturn(h.deps, ctx, id) : rejectReturn(h.deps, ctx, id, 'random'),
        );
        break;
      }
      case 'receive': {
        const candidates = o.anyReturn ? returns : await inStatus(h, returns, ['approved', 'partially_received']);
        if (!candidates.length) break;
        const id = candidates[o.ret % candidates.length]!;
        const r = foldRecorded(returnDecider, await h.store.readStream(returnStream(TENANT, id)));
        if (r.status === 'none') break;
        const line = r.lines[0]!;
        // Mostly no more than is still to come (else most receives are refused and the sequences
        // rarely get past them); with anyReturn, whatever was drawn (maybe a refusal).
        const left = line.quantity - receivedOf(r, line.sku);
        const quantity = o.anyReturn ? o.quantity : Math.min(o.quantity, left);
        if (quantity < 1) break;
        done = await attempt(
          receiveReturn(h.deps, ctx, id, {
            location: o.location,
            lines: [{ sku: line.sku, quantity, condition: o.condition }],
          }),
        );
        if (done) tally[o.condition] += quantity;
        break;
      }
    }
    if (done) tally.steps[o.op] = (tally.steps[o.op] ?? 0) + 1;
    await check(h, orders, returns, restocked, `step ${step} (${o.op})`);
  }
  tally.restocked += restocked;
}

async function inStatus(h: ReturnType<typeof harness>, returns: string[], statuses: string[]) {
  const out: string[] = [];
  for (const id of returns) {
    const r = foldRecorded(returnDecider, await h.store.readStream(returnStream(TENANT, id)));
    if (statuses.includes(r.status)) out.push(id);
  }
  return out;
}

async function check(
  h: ReturnType<typeof harness>,
  orders: string[],
  returns: string[],
  restocked: number,
  where: string,
) {
  let onHand = 0;
  for (const s of SKUS)
    for (const l of LOCATIONS) {
      const inv = foldRecorded(inventoryDecider, await h.store.readStream(inventoryStream(TENANT, s, l)));
      expect(inv.reserved, `${where}: ${s}@${l} reserved ≤ onHand`).to.be.within(0, inv.onHand);
      expect(
        inv.reservations.reduce((n, q) => n + q, 0),
        `${where}: ${s}@${l} Σ reservations`,
      ).to.equal(inv.reserved);
      onHand += inv.onHand;
    }
  const log = await h.store.readAll({ maxCount: 1e6 });
  type Data = { quantity: number; delta: number; reason: string; onHandDelta: number; reservedDelta: number };
  const sumOf = (type: string, f: (d: Data) => number) =>
    log.filter((e) => e.type === type).reduce((n, e) => n + f(e.data as Data), 0);
  const shipped = sumOf('StockShipped', (d) => d.quantity);
  const backResellable = sumOf('StockAdjusted', (d) => (d.reason === 'returned' ? d.delta : 0));
  const rets = await Promise.all(
    returns.map(async (id) => foldRecorded(returnDecider, await h.store.readStream(returnStream(TENANT, id)))),
  );
  let resellable = 0;
  let damaged = 0;
  for (const r of rets) {
    if (r.status === 'none') continue;
    for (const l of r.lines)
      expect(receivedOf(r, l.sku), `${where}: ${r.returnId} received ≤ asked`).to.be.at.most(l.quantity);
    for (const x of r.received) {
      if (x.condition === 'resellable') resellable += x.quantity;
      else damaged += x.quantity;
    }
  }
  // Damaged units never go on hand: all of onHand is explained without them.
  expect(backResellable, `${where}: resellable units back on hand`).to.equal(resellable);
  expect(onHand, `${where}: Σ onHand = restocked + resellable returned − shipped`).to.equal(
    restocked + resellable - shipped,
  );
  expect(
    sumOf('DamagedStockReturned', (d) => d.quantity),
    `${where}: damaged units in the ledger`,
  ).to.equal(damaged);
  expect(
    sumOf('DamagedStockReturned', (d) => Math.abs(d.onHandDelta) + Math.abs(d.reservedDelta)),
    where,
  ).to.equal(0);

  for (const orderId of orders) {
    const { state } = await loadOrder(h.store, TENANT, orderId);
    if (state.status === 'none') continue;
    for (const line of state.lines) {
      const claimed = rets
        .filter((r) => r.status !== 'none' && r.status !== 'rejected' && r.orderId === orderId)
        .reduce((n, r) => n + (r.status === 'none' ? 0 : requestedOf(r, line.sku)), 0);
      expect(claimed, `${where}: ${orderId} ${line.sku} claimed ≤ shipped`).to.be.at.most(shippedOf(line));
    }
    // Money, from the events themselves (not the domain's own sums).
    const placed = log.find((e) => e.type === 'OrderPlaced' && (e.data as { orderId: string }).orderId === orderId)!
      .data as {
      lines: { quantity: number; unitPrice: number; discount?: number; tax?: number }[];
      shipping?: { amount: number };
    };
    const expected =
      placed.lines.reduce((n, l) => n + l.quantity * l.unitPrice - (l.discount ?? 0) + (l.tax ?? 0), 0) +
      (placed.shipping?.amount ?? 0);
    const totals = totalsOf(state);
    expect(totals.total, `${where}: ${orderId} total`).to.equal(expected);
    const own = log.filter((e) => e.streamName.endsWith(`:order:${orderId}`));
    const amount = (type: string, kind?: string) =>
      own
        .filter((e) => e.type === type && (!kind || (e.data as { type: string }).type === kind))
        .reduce((n, e) => n + (e.data as { amount: number }).amount, 0);
    const captured = amount('OrderPaymentRecorded', 'captured');
    const refunded = amount('RefundRecorded');
    expect(totals.refunded, `${where}: ${orderId} refunded`).to.equal(refunded);
    expect(refunded, `${where}: ${orderId} refunded ≤ captured`).to.be.at.most(captured);
    expect(captured, `${where}: ${orderId} captured ≤ total`).to.be.at.most(totals.total);
  }
}

describe('Returns with stock movements: a randomized property (fast-check, memory store)', function () {
  this.timeout(300_000);

  it('Σ reserved ≤ onHand everywhere, damaged units never on hand, returns never claim more than shipped, money exact', async () => {
    const tally: Tally = { restocked: 0, resellable: 0, damaged: 0, steps: {} };
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 40, maxLength: 120 }), (ops) => run(ops, tally)),
      { numRuns: 150 },
    );
    // The sequences did what they are there for (so a property that holds trivially would show).
    for (const step of [
      'place',
      'ship',
      'return',
      'approve',
      'receive',
      'reject',
      'restock',
      'cancelLines',
      'pay',
      'refund',
    ])
      expect(tally.steps[step] ?? 0, `successful ${step} steps`).to.be.greaterThan(10);
    expect(tally.resellable, 'resellable units received').to.be.greaterThan(0);
    expect(tally.damaged, 'damaged units received').to.be.greaterThan(0);
  });
});
