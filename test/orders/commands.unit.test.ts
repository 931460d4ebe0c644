// The order command handlers on the in-memory store: the rules that live in the handlers (the
// customer must exist in this tenant, externalId claims, If-Match, Idempotency-Key ids), not the
// decider's own rules (test/domain/orders.unit.test.ts).
import { expect } from 'chai';
import { CLAIM_GRACE_MS } from '../../domain/shared/unique-claim.ts';
import { VersionMismatchError } from '../../src/commands/errors.ts';
import { claimStream } from '../../src/commands/unique-claim.ts';
import { customerStream } from '../../src/customers/commands.ts';
import { cancelOrder, orderStream, placeOrder, updateOrder } from '../../src/orders/commands.ts';
import { EMAIL_HASH_KEY, given, NOW, on, OTHER_TENANT, TENANT, type Harness } from '../support/command-spec.ts';
import {
  ADDRESS,
  allocationRecorded,
  claimed,
  customer,
  customerForgotten,
  customerRegistered,
  order,
  orderConfirmed,
  orderLines,
  orderPlaced,
  released,
  type Line,
} from '../support/given-events.ts';

const LINES: Line[] = [
  { sku: 'A', quantity: 2 },
  { sku: 'B', quantity: 1 },
];
const input = (over: Partial<Parameters<typeof placeOrder>[2]> = {}) => ({
  customerId: 'cus_1',
  currency: 'EUR',
  lines: orderLines(LINES),
  shippingAddress: ADDRESS,
  externalId: null,
  notes: null,
  ...over,
});
const place =
  (over: Partial<Parameters<typeof placeOrder>[2]> = {}) =>
  (h: Harness) =>
    placeOrder(h.deps, h.ctx, input(over));
const externalIdClaim = (externalId: string, tenant = TENANT) =>
  claimStream(EMAIL_HASH_KEY, tenant, 'order-external-id', externalId);
const confirmedOrder = order(
  'ord_1',
  orderPlaced('ord_1', 'cus_1', LINES),
  allocationRecorded('A', 2),
  allocationRecorded('B', 1),
  orderConfirmed,
);

describe('Order commands (memory store)', () => {
  describe('placeOrder', () => {
    it('given a customer, when an order is placed, then OrderPlaced on a new order stream, at the time of the command', async () => {
      const r = await given(customer('cus_1'))
        .when(place())
        .then((r) => ({ [orderStream(TENANT, r.order.id)]: [orderPlaced(r.order.id, 'cus_1', LINES)] }));
      expect(r.order).to.include({ status: 'pending', version: 1, createdAt: NOW });
    });

    it('given no such customer, when an order is placed, then refused customer_not_found (422 kind)', async () => {
      const err = await given().when(place()).thenRefuses('customer_not_found');
      expect(err.kind).to.equal('unprocessable');
    });

    it('given the customer id of another tenant, when an order is placed, then refused customer_not_found', () =>
      given(customer('cus_1', 'ada@example.com', OTHER_TENANT))
        .when(place())
        .thenRefuses('customer_not_found'));

    it('given a forgotten customer, when an order is placed, then refused customer_forgotten', () =>
      given(
        on(customerStream(TENANT, 'cus_1'), customerRegistered('cus_1', 'a@example.com'), customerForgotten('cus_1')),
      )
        .when(place())
        .thenRefuses('customer_forgotten'));

    it('with an externalId, then the value is claimed for the new order along with OrderPlaced', () =>
      given(customer('cus_1'))
        .when(place({ externalId: 'EXT-1' }))
        .then((r) => ({
          [externalIdClaim('EXT-1')]: [claimed(r.order.id)],
          [orderStream(TENANT, r.order.id)]: [orderPlaced(r.order.id, 'cus_1', LINES, 'EXT-1')],
        })));

    it('given an order with externalId EXT-1, when another is placed with EXT-1, then refused order_external_id_taken', () =>
      given(
        customer('cus_1'),
        on(externalIdClaim('EXT-1'), claimed('ord_1')),
        order('ord_1', orderPlaced('ord_1', 'cus_1', LINES, 'EXT-1')),
      )
        .when(place({ externalId: 'EXT-1' }))
        .thenRefuses('order_external_id_taken'));

    it('given EXT-1 taken in another tenant, when placed with EXT-1 here, then it is placed', () =>
      given(customer('cus_1'), on(externalIdClaim('EXT-1', OTHER_TENANT), claimed('ord_other')))
        .when(place({ externalId: 'EXT-1' }))
        .then((r) => ({
          [externalIdClaim('EXT-1')]: [claimed(r.order.id)],
          [orderStream(TENANT, r.order.id)]: [{ type: 'OrderPlaced' }],
        })));

    it('given a claim whose order never came to exist, within the grace period: refused; after it: taken over', async () => {
      const fresh = new Date(Date.parse(NOW) - CLAIM_GRACE_MS / 2).toISOString();
      await given(customer('cus_1'), on(externalIdClaim('EXT-1'), claimed('ord_ghost', fresh)))
        .when(place({ externalId: 'EXT-1' }))
        .thenRefuses('order_external_id_taken');
      const old = new Date(Date.parse(NOW) - CLAIM_GRACE_MS - 1).toISOString();
      await given(customer('cus_1'), on(externalIdClaim('EXT-1'), claimed('ord_ghost', old)))
        .when(place({ externalId: 'EXT-1' }))
        .then((r) => ({
          [externalIdClaim('EXT-1')]: [claimed(r.order.id)],
          [orderStream(TENANT, r.order.id)]: [{ type: 'OrderPlaced' }],
        }));
    });

    it('when refused after claiming the externalId (duplicate SKU), then the claim is released again', () =>
      given(customer('cus_1'))
        .when(place({ externalId: 'EXT-1', lines: orderLines([...LINES, { sku: 'A', quantity: 1 }]) }))
        .thenRefuses('duplicate_line_sku', {
          [externalIdClaim('EXT-1')]: [{ type: 'UniqueValueClaimed' }, { type: 'UniqueValueReleased' }],
        }));

    it('given a released externalId claim, when placed with it, then it is claimed again', () =>
      given(customer('cus_1'), on(externalIdClaim('EXT-1'), claimed('ord_gone'), released('ord_gone')))
        .when(place({ externalId: 'EXT-1' }))
        .then((r) => ({
          [externalIdClaim('EXT-1')]: [claimed(r.order.id)],
          [orderStream(TENANT, r.order.id)]: [{ type: 'OrderPlaced' }],
        })));
  });

  describe('Idempotency-Key', () => {
    const key = { idempotencyKey: 'key-1', idempotency: { seed: 'seed-of-key-1', since: Date.parse(NOW) - 5_000 } };

    it('given the first attempt was written, when retried with the same key, then the same order id and nothing appended', async () => {
      let first = '';
      const retry = await given(customer('cus_1'))
        .and(async (h) => {
          first = (await placeOrder(h.deps, h.request(key), input({ externalId: 'EXT-9' }))).order.id;
        })
        .when((h) => placeOrder(h.deps, h.request(key), input({ externalId: 'EXT-9' })))
        .thenNothingHappens();
      expect(retry.order.id).to.equal(first);
    });

    it('without a key, the same request again is a second order', async () => {
      let first = '';
      await given(customer('cus_1'))
        .and(async (h) => {
          first = (await placeOrder(h.deps, h.request(), input())).order.id;
        })
        .when((h) => placeOrder(h.deps, h.request(), input()))
        .then((r) => {
          expect(r.order.id).to.not.equal(first);
          return { [orderStream(TENANT, r.order.id)]: [{ type: 'OrderPlaced' }] };
        });
    });
  });

  describe('updateOrder and cancelOrder', () => {
    it('given a confirmed order, when a line shrinks at the current version, then OrderUpdated releasing the excess', () =>
      given(confirmedOrder)
        .when((h) =>
          updateOrder(h.deps, h.ctx, {
            orderId: 'ord_1',
            lines: orderLines([{ sku: 'A', quantity: 1 }]),
            expectedVersion: 4,
          }),
        )
        .then({
          [orderStream(TENANT, 'ord_1')]: [
            {
              type: 'OrderUpdated',
              data: {
                changes: { lines: orderLines([{ sku: 'A', quantity: 1 }]) },
                releases: [
                  { sku: 'A', location: 'default', quantity: 1 },
                  { sku: 'B', location: 'default', quantity: 1 },
                ],
                updatedAt: NOW,
              },
            },
          ],
        }));

    it('when If-Match names an older version, then VersionMismatchError and nothing appended', async () => {
      const err = await given(confirmedOrder)
        .when((h) => updateOrder(h.deps, h.ctx, { orderId: 'ord_1', notes: 'ring twice', expectedVersion: 2 }))
        .thenFails(VersionMismatchError);
      expect(err).to.include({ expected: 2, actual: 4 });
    });

    it('when If-Match is * on an existing order, then it is updated at whatever version it is', () =>
      given(confirmedOrder)
        .when((h) =>
          updateOrder(h.deps, h.ctx, {
            orderId: 'ord_1',
            lines: orderLines([{ sku: 'A', quantity: 1 }]),
            expectedVersion: '*',
          }),
        )
        .then({
          [orderStream(TENANT, 'ord_1')]: [
            {
              type: 'OrderUpdated',
              data: {
                changes: { lines: orderLines([{ sku: 'A', quantity: 1 }]) },
                releases: [
                  { sku: 'A', location: 'default', quantity: 1 },
                  { sku: 'B', location: 'default', quantity: 1 },
                ],
                updatedAt: NOW,
              },
            },
          ],
        }));

    it("when If-Match is * and the order does not exist (here: another tenant's), then VersionMismatchError and nothing appended", async () => {
      const err = await given(on(orderStream(OTHER_TENANT, 'ord_1'), orderPlaced('ord_1', 'cus_1', LINES)))
        .when((h) => cancelOrder(h.deps, h.ctx, { orderId: 'ord_1', reason: 'x', expectedVersion: '*' }))
        .thenFails(VersionMismatchError);
      expect(err).to.include({ expected: '*', actual: 0 });
    });

    it("when If-Match is sent for another tenant's order, then order_not_found (not a version mismatch)", () =>
      given(on(orderStream(OTHER_TENANT, 'ord_1'), orderPlaced('ord_1', 'cus_1', LINES)))
        .when((h) => updateOrder(h.deps, h.ctx, { orderId: 'ord_1', notes: 'x', expectedVersion: 1 }))
        .thenRefuses('order_not_found'));

    it('given a confirmed order, when cancelled, then OrderCancelled listing every reservation to release', () =>
      given(confirmedOrder)
        .when((h) => cancelOrder(h.deps, h.ctx, { orderId: 'ord_1', reason: 'changed my mind' }))
        .then({
          [orderStream(TENANT, 'ord_1')]: [
            {
              type: 'OrderCancelled',
              data: {
                reason: 'changed my mind',
                releases: [
                  { sku: 'A', location: 'default', quantity: 2 },
                  { sku: 'B', location: 'default', quantity: 1 },
                ],
                cancelledAt: NOW,
              },
            },
          ],
        }));

    it('given no order, when cancelled, then refused order_not_found', () =>
      given()
        .when((h) => cancelOrder(h.deps, h.ctx, { orderId: 'ord_nope', reason: 'x' }))
        .thenRefuses('order_not_found'));

    it('given a stale If-Match, when cancelled, then VersionMismatchError and nothing appended', () =>
      given(confirmedOrder)
        .when((h) => cancelOrder(h.deps, h.ctx, { orderId: 'ord_1', reason: 'x', expectedVersion: 1 }))
        .thenFails(VersionMismatchError));
  });
});
