// The inventory command handlers on the in-memory store: one stream per tenant × SKU × location,
// the context becomes the metadata, If-Match on counts, Idempotency-Key ids. The decider's rules
// (FIFO, shortfall order, quantities): test/domain/inventory.unit.test.ts.
import { expect } from 'chai';
import { VersionMismatchError } from '../../src/commands/errors.ts';
import { adjustStock, countStock } from '../../src/inventory/commands.ts';
import { inventoryStream } from '../../src/inventory/streams.ts';
import { given, NOW, OTHER_TENANT, TENANT, type Harness } from '../support/command-spec.ts';
import { stock } from '../support/given-events.ts';

const A = inventoryStream(TENANT, 'A', 'default');
const adjust =
  (delta: number, reason: 'received' | 'damaged' = delta > 0 ? 'received' : 'damaged') =>
  (h: Harness) =>
    adjustStock(h.deps, h.ctx, { sku: 'A', location: 'default', delta, reason, reference: null });
const count = (onHand: number, expectedVersion?: number) => (h: Harness) =>
  countStock(h.deps, h.ctx, {
    sku: 'A',
    location: 'default',
    onHand,
    ...(expectedVersion !== undefined ? { expectedVersion } : {}),
  });
const at = { sku: 'A', location: 'default', occurredAt: NOW };

describe('Inventory commands (memory store)', () => {
  describe('adjustStock', () => {
    it('given nothing, when 10 are received, then StockAdjusted with the level after, and that level answered', async () => {
      const r = await given()
        .when((h) =>
          adjustStock(h.deps, h.ctx, {
            sku: 'A',
            location: 'default',
            delta: 10,
            reason: 'received',
            reference: 'po-1',
          }),
        )
        .then({
          [A]: [
            {
              type: 'StockAdjusted',
              data: {
                ...at,
                delta: 10,
                reason: 'received',
                reference: 'po-1',
                onHandDelta: 10,
                reservedDelta: 0,
                onHand: 10,
                reserved: 0,
              },
            },
          ],
        });
      expect(r.level).to.deep.equal({
        sku: 'A',
        location: 'default',
        onHand: 10,
        reserved: 0,
        available: 10,
        version: 1,
      });
    });

    it('given 3 on hand, when 5 are lost, then refused insufficient_stock and nothing appended', () =>
      given(stock('A').received(3).history()).when(adjust(-5)).thenRefuses('insufficient_stock'));

    it('given stock in another tenant only, when some is written off here, then refused insufficient_stock', () =>
      given(stock('A').received(10).history(OTHER_TENANT)).when(adjust(-1)).thenRefuses('insufficient_stock'));

    it('given 5 on hand, 4 reserved, when 3 are damaged, then the newest reservation gives way before the adjustment', () =>
      given(stock('A').received(5).reserved('ord_1', 2).reserved('ord_2', 2).history())
        .when(adjust(-3))
        .then({
          [A]: [
            {
              type: 'ReservationReleased',
              data: {
                ...at,
                orderId: 'ord_2',
                quantity: 2,
                orderReserved: 0,
                reason: 'stock_shortfall',
                onHandDelta: 0,
                reservedDelta: -2,
                onHand: 5,
                reserved: 2,
              },
            },
            { type: 'StockAdjusted' },
          ],
        }));

    it('stamps the context on every event: tenant, actor, correlation, cause, Idempotency-Key', async () => {
      const events = await given()
        .when(async (h) => {
          const ctx = h.request({ actor: 'key_1', correlationId: 'corr-1', idempotencyKey: 'k-1' });
          await adjustStock(h.deps, ctx, { sku: 'A', location: 'default', delta: 1, reason: 'found', reference: null });
          return h.store.readStream(A);
        })
        .then({ [A]: [{ type: 'StockAdjusted' }] });
      expect(events[0]!.metadata).to.deep.equal({
        tenant: TENANT,
        actor: 'key_1',
        correlationId: 'corr-1',
        causationId: null,
        idempotencyKey: 'k-1',
        schemaVersion: 1,
      });
    });
  });

  describe('Idempotency-Key', () => {
    const key = { idempotencyKey: 'adj-1', idempotency: { seed: 'seed-adj-1', since: Date.parse(NOW) } };
    const keyed = (h: Harness) =>
      adjustStock(h.deps, h.request(key), {
        sku: 'A',
        location: 'default',
        delta: 5,
        reason: 'received',
        reference: null,
      });

    it('given the first attempt was written, when retried with the same key, then applied once and the stored level answered', async () => {
      const r = await given().and(keyed).when(keyed).thenNothingHappens();
      expect(r.level).to.include({ onHand: 5, version: 1 });
    });

    it('without a key, the same adjustment again is applied again', async () => {
      const r = await given()
        .and(adjust(5))
        .when(adjust(5))
        .then({ [A]: [{ type: 'StockAdjusted' }] });
      expect(r.level).to.include({ onHand: 10, version: 2 });
    });
  });

  describe('countStock', () => {
    it('given 5 on hand, when counted at 7, then StockCounted with the delta', () =>
      given(stock('A').received(5).history())
        .when(count(7))
        .then({
          [A]: [
            {
              type: 'StockCounted',
              data: {
                ...at,
                reason: 'cycle_count',
                previousOnHand: 5,
                delta: 2,
                onHandDelta: 2,
                reservedDelta: 0,
                onHand: 7,
                reserved: 0,
              },
            },
          ],
        }));

    it('when If-Match is the current version, then counted; when it is older, then VersionMismatchError and nothing appended', async () => {
      await given(stock('A').received(5).received(1).history())
        .when(count(7, 2))
        .then({ [A]: [{ type: 'StockCounted' }] });
      const err = await given(stock('A').received(5).received(1).history())
        .when(count(7, 1))
        .thenFails(VersionMismatchError);
      expect(err).to.include({ expected: 1, actual: 2 });
    });
  });
});
