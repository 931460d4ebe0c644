// Given / when / then for returns: the return aggregate (every transition and refusal), its claims
// on the order stream (only shipped units, never more than shipped across returns), the order's
// returned statuses, and the inventory's damaged-return ledger line.
import { expect } from 'chai';
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import type { InventoryEvent } from '../../domain/inventory/events.ts';
import { orderDecider } from '../../domain/orders/decider.ts';
import type { OrderEvent } from '../../domain/orders/events.ts';
import { returnableOf } from '../../domain/orders/returns.ts';
import type { PlacedOrder } from '../../domain/orders/state.ts';
import type { ReturnCommand } from '../../domain/returns/commands.ts';
import { returnDecider } from '../../domain/returns/decider.ts';
import type { ReceivedLine, ReturnEvent } from '../../domain/returns/events.ts';
import { type OrderReturnCommand, orderReturnsDecider } from '../../domain/returns/order-side.ts';
import { deciderSpec } from '../support/decider-spec.ts';
import { allocationRecorded, orderConfirmed, orderPlaced } from '../support/given-events.ts';

const NOW = '2026-12-03T10:00:00.000Z';
const LATER = '2026-12-03T11:00:00.000Z';

describe('Returns domain', () => {
  describe('the return aggregate', () => {
    const spec = deciderSpec(returnDecider);
    const requested: ReturnEvent = {
      type: 'ReturnRequested',
      data: {
        returnId: 'ret_1',
        orderId: 'ord_1',
        currency: 'EUR',
        lines: [
          { sku: 'A', quantity: 2, reason: 'defective', unitPrice: 1000 },
          { sku: 'B', quantity: 1, reason: 'unwanted', unitPrice: 500 },
        ],
        note: null,
        requestedAt: NOW,
      },
    };
    const approved: ReturnEvent = { type: 'ReturnApproved', data: { returnId: 'ret_1', approvedAt: NOW } };
    const rejected: ReturnEvent = {
      type: 'ReturnRejected',
      data: { returnId: 'ret_1', reason: 'late', rejectedAt: NOW },
    };
    const received = (lines: ReceivedLine[], status: 'received' | 'partially_received'): ReturnEvent => ({
      type: 'ReturnReceived',
      data: { returnId: 'ret_1', location: 'default', lines, status, receivedAt: NOW },
    });
    const receive = (lines: ReceivedLine[]): ReturnCommand => ({
      type: 'ReceiveReturn',
      data: { location: 'default', lines, now: NOW },
    });
    const refund = (amount: number): ReturnCommand => ({
      type: 'RecordReturnRefund',
      data: { refundId: 'rfd_1', amount, reference: 'psp_1', now: LATER },
    });
    const partlyLines: ReceivedLine[] = [{ sku: 'A', quantity: 1, condition: 'resellable' }];
    const restLines: ReceivedLine[] = [
      { sku: 'A', quantity: 1, condition: 'damaged' },
      { sku: 'B', quantity: 1, condition: 'resellable' },
    ];
    const partly = received(partlyLines, 'partially_received');
    const fully = received(restLines, 'received');

    it('request: ReturnRequested; again → return_already_exists; a SKU twice → duplicate_line_sku', () => {
      const { requestedAt, ...data } = requested.data as Extract<ReturnEvent, { type: 'ReturnRequested' }>['data'];
      spec
        .given([])
        .when({ type: 'RequestReturn', data: { ...data, now: requestedAt } })
        .then([requested]);
      spec
        .given([requested])
        .when({ type: 'RequestReturn', data: { ...data, now: NOW } })
        .thenRefuses('return_already_exists');
      spec
        .given([])
        .when({ type: 'RequestReturn', data: { ...data, lines: [data.lines[0]!, data.lines[0]!], now: NOW } })
        .thenRefuses('duplicate_line_sku');
    });

    it('approve: requested → approved; from any other status a code for that status; unknown → return_not_found', () => {
      spec
        .given([requested])
        .when({ type: 'ApproveReturn', data: { now: NOW } })
        .then([approved]);
      spec
        .given([])
        .when({ type: 'ApproveReturn', data: { now: NOW } })
        .thenRefuses('return_not_found');
      spec
        .given([requested, approved])
        .when({ type: 'ApproveReturn', data: { now: NOW } })
        .thenRefuses('return_already_approved');
      spec
        .given([requested, rejected])
        .when({ type: 'ApproveReturn', data: { now: NOW } })
        .thenRefuses('return_already_rejected');
      spec
        .given([requested, approved, partly])
        .when({ type: 'ApproveReturn', data: { now: NOW } })
        .thenRefuses('return_already_received');
    });

    it('reject: requested → rejected; after approval → return_already_approved; twice → return_already_rejected', () => {
      spec
        .given([requested])
        .when({ type: 'RejectReturn', data: { reason: 'late', now: NOW } })
        .then([rejected]);
      spec
        .given([requested, approved])
        .when({ type: 'RejectReturn', data: { reason: 'late', now: NOW } })
        .thenRefuses('return_already_approved');
      spec
        .given([requested, rejected])
        .when({ type: 'RejectReturn', data: { reason: 'late', now: NOW } })
        .thenRefuses('return_already_rejected');
      spec
        .given([])
        .when({ type: 'RejectReturn', data: { reason: 'late', now: NOW } })
        .thenRefuses('return_not_found');
    });

    it('receive: part → partially_received, the rest → received; conditions may split a SKU', () => {
      spec.given([requested, approved]).when(receive(partlyLines)).then([partly]);
      spec.given([requested, approved, partly]).when(receive(restLines)).then([fully]);
      const all = [
        { sku: 'A', quantity: 1, condition: 'resellable' as const },
        { sku: 'A', quantity: 1, condition: 'damaged' as const },
        { sku: 'B', quantity: 1, condition: 'damaged' as const },
      ];
      spec
        .given([requested, approved])
        .when(receive(all))
        .then([received(all, 'received')]);
    });

    it('receive refusals: not approved, rejected, complete, unknown SKU, more than approved (also summed across conditions)', () => {
      const one = [{ sku: 'A', quantity: 1, condition: 'resellable' as const }];
      spec.given([requested]).when(receive(one)).thenRefuses('return_not_approved');
      spec.given([requested, rejected]).when(receive(one)).thenRefuses('return_already_rejected');
      spec.given([requested, approved, partly, fully]).when(receive(one)).thenRefuses('return_already_received');
      spec.given([]).when(receive(one)).thenRefuses('return_not_found');
      spec
        .given([requested, approved])
        .when(receive([{ sku: 'C', quantity: 1, condition: 'damaged' }]))
        .thenRefuses('unknown_return_sku');
      spec
        .given([requested, approved])
        .when(receive([{ sku: 'A', quantity: 3, condition: 'damaged' }]))
        .thenRefuses('quantity_exceeds_approved');
      spec
        .given([requested, approved, partly])
        .when(
          receive([
            { sku: 'A', quantity: 1, condition: 'damaged' },
            { sku: 'A', quantity: 1, condition: 'resellable' },
          ]),
        )
        .thenRefuses('quantity_exceeds_approved');
    });

    it('refund: recorded once approved or received, up to what the returned units were sold for', () => {
      const recorded = (amount: number): ReturnEvent => ({
        type: 'ReturnRefundRecorded',
        data: {
          refundId: 'rfd_1',
          returnId: 'ret_1',
          orderId: 'ord_1',
          amount,
          currency: 'EUR',
          reference: 'psp_1',
          recordedAt: LATER,
        },
      });
      spec
        .given([requested, approved])
        .when(refund(2500))
        .then([recorded(2500)]);
      spec
        .given([requested, approved, partly])
        .when(refund(100))
        .then([recorded(100)]);
      spec
        .given([requested, approved, recorded(2000)])
        .when(refund(501))
        .thenRefuses('refund_exceeds_return_value');
      spec
        .given([requested, approved, recorded(2000)])
        .when(refund(500))
        .then([recorded(500)]);
      spec.given([requested]).when(refund(1)).thenRefuses('return_not_approved');
      spec.given([requested, rejected]).when(refund(1)).thenRefuses('return_already_rejected');
      spec.given([]).when(refund(1)).thenRefuses('return_not_found');
    });
  });

  describe("the return's claims on the order stream", () => {
    const spec = deciderSpec(orderReturnsDecider);
    const placed = orderPlaced('ord_1', 'cus_1', [
      { sku: 'A', quantity: 3 },
      { sku: 'B', quantity: 1 },
    ]);
    const shipped = (shipmentId: string, sku: string, quantity: number): OrderEvent => ({
      type: 'OrderShipmentRecorded',
      data: { shipmentId, location: 'default', lines: [{ sku, quantity }], occurredAt: NOW },
    });
    const confirmed = [placed, allocationRecorded('A', 3), allocationRecorded('B', 1), orderConfirmed];
    const twoShipped = [...confirmed, shipped('shp_1', 'A', 2)];
    const claimed = (returnId: string, quantity: number): OrderEvent => ({
      type: 'OrderReturnRequested',
      data: { returnId, lines: [{ sku: 'A', quantity }], occurredAt: NOW },
    });
    const claim = (returnId: string, quantity: number, sku = 'A'): OrderReturnCommand => ({
      type: 'ClaimReturnUnits',
      data: { returnId, lines: [{ sku, quantity }], now: NOW },
    });

    it('claims shipped units; more than shipped minus claimed → quantity_exceeds_returnable', () => {
      spec
        .given(twoShipped)
        .when(claim('ret_1', 2))
        .then([claimed('ret_1', 2)]);
      spec.given(twoShipped).when(claim('ret_1', 3)).thenRefuses('quantity_exceeds_returnable');
      spec
        .given([...twoShipped, claimed('ret_1', 1)])
        .when(claim('ret_2', 2))
        .thenRefuses('quantity_exceeds_returnable');
      spec
        .given([...twoShipped, claimed('ret_1', 1)])
        .when(claim('ret_2', 1))
        .then([claimed('ret_2', 1)]);
      spec
        .given(twoShipped)
        .when(claim('ret_1', 1, 'B'))
        .thenRefuses('quantity_exceeds_returnable');
    });

    it('a received return still claims its units; a rejected one gives them back', () => {
      const receivedBack: OrderEvent = {
        type: 'OrderReturnReceived',
        data: { returnId: 'ret_1', lines: [{ sku: 'A', quantity: 2 }], occurredAt: NOW },
      };
      const rejectedEv: OrderEvent = { type: 'OrderReturnRejected', data: { returnId: 'ret_1', occurredAt: NOW } };
      spec
        .given([...twoShipped, claimed('ret_1', 2), receivedBack])
        .when(claim('ret_2', 1))
        .thenRefuses('quantity_exceeds_returnable');
      spec
        .given([...twoShipped, claimed('ret_1', 2)])
        .when({ type: 'ReleaseReturnClaim', data: { returnId: 'ret_1', now: NOW } })
        .then([rejectedEv]);
      spec
        .given([...twoShipped, claimed('ret_1', 2), rejectedEv])
        .when(claim('ret_2', 2))
        .then([claimed('ret_2', 2)]);
      spec
        .given([...twoShipped, claimed('ret_1', 2), rejectedEv])
        .when({ type: 'ReleaseReturnClaim', data: { returnId: 'ret_1', now: NOW } })
        .thenNothingHappens();
    });

    it('refusals: unknown SKU → unknown_line_sku, no order → order_not_found; a claim made already is a no-op', () => {
      spec
        .given(twoShipped)
        .when(claim('ret_1', 1, 'Z'))
        .thenRefuses('unknown_line_sku');
      spec.given([]).when(claim('ret_1', 1)).thenRefuses('order_not_found');
      spec
        .given([...twoShipped, claimed('ret_1', 2)])
        .when(claim('ret_1', 2))
        .thenNothingHappens();
    });

    it('status: shipped → partially_returned → returned as units come back; a partially shipped order keeps its status', () => {
      const all = [...confirmed, shipped('shp_1', 'A', 3), shipped('shp_2', 'B', 1)];
      const fold = (events: OrderEvent[]) =>
        events.reduce(orderDecider.evolve, orderDecider.initialState()) as PlacedOrder;
      expect(fold(all).status).to.equal('shipped');
      const claimAll: OrderEvent = {
        type: 'OrderReturnRequested',
        data: {
          returnId: 'ret_1',
          lines: [
            { sku: 'A', quantity: 3 },
            { sku: 'B', quantity: 1 },
          ],
          occurredAt: NOW,
        },
      };
      const back = (sku: string, quantity: number): OrderEvent => ({
        type: 'OrderReturnReceived',
        data: { returnId: 'ret_1', lines: [{ sku, quantity }], occurredAt: NOW },
      });
      expect(fold([...all, claimAll, back('A', 3)]).status).to.equal('partially_returned');
      expect(fold([...all, claimAll, back('A', 3), back('B', 1)]).status).to.equal('returned');
      const partial = [...twoShipped, claimed('ret_1', 2), back('A', 1)];
      expect(fold(partial).status).to.equal('partially_shipped');
      expect(returnableOf(fold(partial), 'A')).to.equal(0);
    });
  });

  describe('damaged returned units in the inventory ledger', () => {
    it('DamagedStockReturned records them without moving onHand or reserved', () => {
      const stocked: InventoryEvent = {
        type: 'StockAdjusted',
        data: {
          sku: 'A',
          location: 'default',
          occurredAt: NOW,
          delta: 5,
          reason: 'received',
          reference: null,
          onHandDelta: 5,
          reservedDelta: 0,
          onHand: 5,
          reserved: 0,
        },
      };
      deciderSpec(inventoryDecider)
        .given([stocked])
        .when({
          type: 'RecordDamagedReturn',
          data: { sku: 'A', location: 'default', now: LATER, quantity: 2, orderId: 'ord_1', returnId: 'ret_1' },
        })
        .then([
          {
            type: 'DamagedStockReturned',
            data: {
              sku: 'A',
              location: 'default',
              occurredAt: LATER,
              onHandDelta: 0,
              reservedDelta: 0,
              onHand: 5,
              reserved: 0,
              reason: 'returned',
              condition: 'damaged',
              quantity: 2,
              orderId: 'ord_1',
              reference: 'ret_1',
            },
          },
        ]);
      deciderSpec(inventoryDecider)
        .given([stocked])
        .when({
          type: 'RecordDamagedReturn',
          data: { sku: 'A', location: 'default', now: LATER, quantity: 0, orderId: 'ord_1', returnId: 'ret_1' },
        })
        .thenRefuses('invalid_quantity');
    });
  });
});
