import { expect } from 'chai';
import type { OrderCommand } from '../../domain/orders/commands.ts';
import { orderDecider } from '../../domain/orders/decider.ts';
import type { OrderEvent } from '../../domain/orders/events.ts';
import { paymentStatusOf, totalsOf } from '../../domain/orders/money.ts';
import { allowedActions, isOnHold, type PlacedOrder, withMoneyDefaults } from '../../domain/orders/state.ts';
import { MAX_AMOUNT } from '../../domain/shared/limits.ts';
import { deciderSpec } from '../support/decider-spec.ts';

// Order money (discount, tax, shipping, totals), payments, refunds and holds: every transition and
// every refusal of the order decider, given / when / then.

const spec = deciderSpec(orderDecider);
const now = '2026-12-03T10:00:00.000Z';
const later = '2026-12-03T11:00:00.000Z';
const address = { line1: '1 Quay St', city: 'Bristol', country: 'GB' };
// 2 × 1000 − 300 + 170 and 1 × 500 + 100, shipping 450: total 2920.
const lines = [
  { sku: 'A', quantity: 2, unitPrice: 1000, discount: 300, tax: 170 },
  { sku: 'B', quantity: 1, unitPrice: 500, tax: 100 },
];
const shipping = { amount: 450, method: 'standard' };
const TOTAL = 2920;
const placeData = {
  orderId: 'ord_1',
  customerId: 'cus_1',
  currency: 'EUR',
  lines,
  shippingAddress: address,
  externalId: null,
  notes: null,
};
const placed: OrderEvent = { type: 'OrderPlaced', data: { ...placeData, shipping, placedAt: now } };
/** An order placed before money per line and shipping existed. */
const placedBefore: OrderEvent = {
  type: 'OrderPlaced',
  data: { ...placeData, lines: [{ sku: 'A', quantity: 2, unitPrice: 1000 }], placedAt: now },
};
const confirmed: OrderEvent[] = [
  {
    type: 'OrderAllocationRecorded',
    data: {
      allocations: [
        { sku: 'A', location: 'default', reserved: 2 },
        { sku: 'B', location: 'default', reserved: 1 },
      ],
      occurredAt: now,
    },
  },
  { type: 'OrderConfirmed', data: { occurredAt: now } },
];
const c = (type: OrderCommand['type'], data: object) => ({ type, data: { now, ...data } }) as OrderCommand;
const fold = (events: OrderEvent[]) => events.reduce(orderDecider.evolve, orderDecider.initialState()) as PlacedOrder;
const payment = (paymentId: string, type: 'authorized' | 'captured' | 'voided', amount: number): OrderEvent => ({
  type: 'OrderPaymentRecorded',
  data: { paymentId, type, amount, reference: `psp-${paymentId}`, recordedAt: now },
});
const pay = (paymentId: string, type: string, amount: number, reference = `psp-${paymentId}`) =>
  c('RecordPayment', { paymentId, type, amount, reference });
const refunded = (refundId: string, amount: number): OrderEvent => ({
  type: 'RefundRecorded',
  data: { refundId, returnId: null, amount, reference: `re-${refundId}`, recordedAt: now },
});
const refund = (refundId: string, amount: number, returnId?: string) =>
  ({
    type: 'RecordRefund',
    data: { refundId, amount, reference: `re-${refundId}`, at: later, ...(returnId ? { returnId } : {}) },
  }) as OrderCommand;
const held = (holdId: string): OrderEvent => ({
  type: 'OrderHoldPlaced',
  data: { holdId, reason: 'fraud_review', note: 'check the address', placedAt: now },
});
const released = (holdId: string): OrderEvent => ({ type: 'OrderHoldReleased', data: { holdId, releasedAt: now } });
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { reason: 'x', releases: [], cancelledAt: now } };
const shipAll = c('RecordShipment', {
  shipmentId: 'shp_1',
  location: 'default',
  lines: [
    { sku: 'A', quantity: 2 },
    { sku: 'B', quantity: 1 },
  ],
});

describe('Order decider: money, payments, refunds, holds', () => {
  describe('totals', () => {
    it('given nothing, when placed with discount, tax and shipping, then OrderPlaced carries them and total = Σ(q×p) − Σdiscount + Σtax + shipping', () => {
      spec
        .given([])
        .when(c('PlaceOrder', { ...placeData, shipping }))
        .then([placed]);
      expect(totalsOf(fold([placed]))).to.deep.equal({
        subtotal: 2500,
        discount: 300,
        tax: 270,
        shipping: 450,
        total: TOTAL,
        refunded: 0,
      });
    });
    it('given nothing, when a line discount exceeds quantity × unitPrice, then refused discount_exceeds_line_total', () =>
      spec
        .given([])
        .when(c('PlaceOrder', { ...placeData, lines: [{ sku: 'A', quantity: 2, unitPrice: 1000, discount: 2001 }] }))
        .thenRefuses('discount_exceeds_line_total'));
    it('given nothing, when the discount is the whole line, then placed (total 0 for that line)', () => {
      const free = [{ sku: 'A', quantity: 2, unitPrice: 1000, discount: 2000 }];
      spec
        .given([])
        .when(c('PlaceOrder', { ...placeData, lines: free }))
        .then([{ type: 'OrderPlaced', data: { ...placeData, lines: free, placedAt: now } }]);
    });
    it('given nothing, when the total would pass 2^53 − 1, then refused amount_out_of_range', () =>
      spec
        .given([])
        .when(
          c('PlaceOrder', {
            ...placeData,
            lines: [{ sku: 'A', quantity: 1, unitPrice: MAX_AMOUNT, tax: 1 }],
          }),
        )
        .thenRefuses('amount_out_of_range'));
    it('given an order placed before money existed (no discount, tax, shipping), then they read as 0 and nothing recorded', () => {
      const o = fold([placedBefore]);
      expect(totalsOf(o)).to.deep.equal({
        subtotal: 2000,
        discount: 0,
        tax: 0,
        shipping: 0,
        total: 2000,
        refunded: 0,
      });
      expect(paymentStatusOf(o)).to.equal('unpaid');
      expect(o.holds).to.deep.equal([]);
    });
    it('given a state folded before money existed (an old read-model row), then withMoneyDefaults fills it and events still fold', () => {
      const { shipping: _s, payments: _p, refunds: _r, holds: _h, ...old } = fold([placedBefore]);
      const oldState = {
        ...old,
        lines: old.lines.map(({ discount: _d, tax: _t, ...l }) => l),
      } as unknown as PlacedOrder;
      expect(withMoneyDefaults(oldState).shipping).to.deep.equal({ amount: 0, method: null });
      expect(withMoneyDefaults(oldState).lines[0]).to.include({ discount: 0, tax: 0 });
      const after = orderDecider.evolve(oldState, held('hld_1')) as PlacedOrder;
      expect(isOnHold(after)).to.equal(true);
    });
    it('given an order, when the shipping charge changes, then OrderUpdated with the new shipping (status stays)', () => {
      const cheaper = { amount: 0, method: null };
      spec
        .given([placed, ...confirmed])
        .when(c('UpdateOrder', { shipping: cheaper }))
        .then([{ type: 'OrderUpdated', data: { changes: { shipping: cheaper }, releases: [], updatedAt: now } }]);
      const after = fold([
        placed,
        ...confirmed,
        { type: 'OrderUpdated', data: { changes: { shipping: cheaper }, releases: [], updatedAt: now } },
      ]);
      expect(after.status).to.equal('confirmed');
      expect(totalsOf(after).total).to.equal(TOTAL - 450);
    });
    it('given an order, when the same lines and shipping are sent again, then nothing happens', () =>
      spec.given([placed]).when(c('UpdateOrder', { lines, shipping })).thenNothingHappens());
    it('given an order, when a line discount changes, then OrderUpdated with the new lines', () => {
      const next = [{ ...lines[0]!, discount: 0 }, lines[1]!];
      spec
        .given([placed])
        .when(c('UpdateOrder', { lines: next }))
        .then([{ type: 'OrderUpdated', data: { changes: { lines: next }, releases: [], updatedAt: now } }]);
    });
    it('given an order, when a changed line discount exceeds its line, then refused discount_exceeds_line_total', () =>
      spec
        .given([placed])
        .when(c('UpdateOrder', { lines: [{ sku: 'A', quantity: 1, unitPrice: 1000, discount: 1001 }] }))
        .thenRefuses('discount_exceeds_line_total'));
    it('given a paid order, when a change would make the total less than captured, then refused total_below_captured', () =>
      spec
        .given([placed, payment('pay_1', 'captured', TOTAL)])
        .when(c('UpdateOrder', { shipping: { amount: 0, method: null } }))
        .thenRefuses('total_below_captured'));
  });

  describe('RecordPayment', () => {
    it('given an unpaid order, when authorized, then OrderPaymentRecorded and paymentStatus authorized', () => {
      spec
        .given([placed])
        .when(pay('pay_1', 'authorized', TOTAL))
        .then([payment('pay_1', 'authorized', TOTAL)]);
      expect(paymentStatusOf(fold([placed, payment('pay_1', 'authorized', TOTAL)]))).to.equal('authorized');
    });
    it('given an authorized order, when the total is captured, then paid', () => {
      spec
        .given([placed, payment('pay_1', 'authorized', TOTAL)])
        .when(pay('pay_2', 'captured', TOTAL))
        .then([payment('pay_2', 'captured', TOTAL)]);
      expect(
        paymentStatusOf(fold([placed, payment('pay_1', 'authorized', TOTAL), payment('pay_2', 'captured', TOTAL)])),
      ).to.equal('paid');
    });
    it('given an order, when part is captured, then authorized (the rest is outstanding); the rest captured → paid', () => {
      const part = [placed, payment('pay_1', 'captured', 1000)];
      expect(paymentStatusOf(fold(part))).to.equal('authorized');
      spec
        .given(part)
        .when(pay('pay_2', 'captured', TOTAL - 1000))
        .then([payment('pay_2', 'captured', TOTAL - 1000)]);
      expect(paymentStatusOf(fold([...part, payment('pay_2', 'captured', TOTAL - 1000)]))).to.equal('paid');
    });
    it('given an order, when a capture exceeds the total, then refused capture_exceeds_total', () =>
      spec
        .given([placed])
        .when(pay('pay_1', 'captured', TOTAL + 1))
        .thenRefuses('capture_exceeds_total'));
    it('given a partly captured order, when the captures together would exceed the total, then refused capture_exceeds_total', () =>
      spec
        .given([placed, payment('pay_1', 'captured', 2000)])
        .when(pay('pay_2', 'captured', TOTAL - 1999))
        .thenRefuses('capture_exceeds_total'));
    it('given an authorized order, when voided, then voided', () => {
      spec
        .given([placed, payment('pay_1', 'authorized', TOTAL)])
        .when(pay('pay_2', 'voided', TOTAL))
        .then([payment('pay_2', 'voided', TOTAL)]);
      expect(
        paymentStatusOf(fold([placed, payment('pay_1', 'authorized', TOTAL), payment('pay_2', 'voided', TOTAL)])),
      ).to.equal('voided');
    });
    it('given a voided order, when authorized again, then authorized', () =>
      expect(
        paymentStatusOf(
          fold([
            placed,
            payment('pay_1', 'authorized', TOTAL),
            payment('pay_2', 'voided', TOTAL),
            payment('pay_3', 'authorized', TOTAL),
          ]),
        ),
      ).to.equal('authorized'));
    it('given a captured order, when voided, then refused void_after_capture', () =>
      spec
        .given([placed, payment('pay_1', 'authorized', TOTAL), payment('pay_2', 'captured', 100)])
        .when(pay('pay_3', 'voided', TOTAL))
        .thenRefuses('void_after_capture'));
    it('given an order authorized for 1000, when 1001 is voided, then refused void_exceeds_authorized', () =>
      spec
        .given([placed, payment('pay_1', 'authorized', 1000)])
        .when(pay('pay_2', 'voided', 1001))
        .thenRefuses('void_exceeds_authorized'));
    it('given an unpaid order, when voided, then refused void_exceeds_authorized (nothing authorized)', () =>
      spec
        .given([placed])
        .when(pay('pay_1', 'voided', 1))
        .thenRefuses('void_exceeds_authorized'));
    it('given a payment with a reference, when another of the same type and reference is recorded, then refused payment_already_recorded', () =>
      spec
        .given([placed, payment('pay_1', 'authorized', 100)])
        .when(pay('pay_2', 'authorized', 100, 'psp-pay_1'))
        .thenRefuses('payment_already_recorded'));
    it('given a recorded payment, when the same paymentId is recorded again (a retry), then nothing happens', () =>
      spec
        .given([placed, payment('pay_1', 'authorized', 100)])
        .when(pay('pay_1', 'authorized', 100))
        .thenNothingHappens());
    it('given an order, when the amount is 0, then refused invalid_amount', () =>
      spec
        .given([placed])
        .when(pay('pay_1', 'authorized', 0))
        .thenRefuses('invalid_amount'));
    it('given a cancelled order, when a capture or an authorization arrives, then refused order_already_cancelled', () => {
      spec
        .given([placed, cancelled])
        .when(pay('pay_1', 'captured', 100))
        .thenRefuses('order_already_cancelled');
      spec
        .given([placed, cancelled])
        .when(pay('pay_1', 'authorized', 100))
        .thenRefuses('order_already_cancelled');
    });
    it('given a cancelled order with an authorization, when voided, then recorded (releasing the authorization)', () =>
      spec
        .given([placed, payment('pay_1', 'authorized', TOTAL), cancelled])
        .when(pay('pay_2', 'voided', TOTAL))
        .then([payment('pay_2', 'voided', TOTAL)]));
    it('given no order, when a payment arrives, then refused order_not_found', () =>
      spec
        .given([])
        .when(pay('pay_1', 'authorized', 1))
        .thenRefuses('order_not_found'));
  });

  describe('RecordRefund', () => {
    const paid = [placed, payment('pay_1', 'captured', TOTAL)];
    it('given a paid order, when part is refunded, then RefundRecorded and partially_refunded', () => {
      spec
        .given(paid)
        .when(refund('ref_1', 1000, 'ret_1'))
        .then([
          {
            type: 'RefundRecorded',
            data: { refundId: 'ref_1', returnId: 'ret_1', amount: 1000, reference: 're-ref_1', recordedAt: later },
          },
        ]);
      const o = fold([...paid, refunded('ref_1', 1000)]);
      expect(paymentStatusOf(o)).to.equal('partially_refunded');
      expect(totalsOf(o).refunded).to.equal(1000);
    });
    it('given a partly refunded order, when the rest is refunded (without a return), then refunded', () => {
      spec
        .given([...paid, refunded('ref_1', 1000)])
        .when(refund('ref_2', TOTAL - 1000))
        .then([
          {
            type: 'RefundRecorded',
            data: { refundId: 'ref_2', returnId: null, amount: TOTAL - 1000, reference: 're-ref_2', recordedAt: later },
          },
        ]);
      const o = fold([...paid, refunded('ref_1', 1000), refunded('ref_2', TOTAL - 1000)]);
      expect(paymentStatusOf(o)).to.equal('refunded');
      expect(totalsOf(o).refunded).to.equal(TOTAL);
    });
    it('given a partly refunded order, when more than captured − refunded is refunded, then refused refund_exceeds_captured', () =>
      spec
        .given([...paid, refunded('ref_1', 1000)])
        .when(refund('ref_2', TOTAL - 999))
        .thenRefuses('refund_exceeds_captured'));
    it('given an authorized but not captured order, when refunded, then refused refund_exceeds_captured', () =>
      spec
        .given([placed, payment('pay_1', 'authorized', TOTAL)])
        .when(refund('ref_1', 1))
        .thenRefuses('refund_exceeds_captured'));
    it('given a recorded refund, when the same refundId is recorded again (a retried job), then nothing happens', () =>
      spec
        .given([...paid, refunded('ref_1', 1000)])
        .when(refund('ref_1', 1000))
        .thenNothingHappens());
    it('given a paid order, when the amount is 0, then refused invalid_amount', () =>
      spec.given(paid).when(refund('ref_1', 0)).thenRefuses('invalid_amount'));
    it('given a paid, cancelled order, when refunded, then recorded (money goes back after a cancel)', () =>
      spec
        .given([...paid, cancelled])
        .when(refund('ref_1', TOTAL))
        .then([
          {
            type: 'RefundRecorded',
            data: { refundId: 'ref_1', returnId: null, amount: TOTAL, reference: 're-ref_1', recordedAt: later },
          },
        ]));
    it('given no order, when a refund arrives, then refused order_not_found', () =>
      spec.given([]).when(refund('ref_1', 1)).thenRefuses('order_not_found'));
  });

  describe('holds', () => {
    const hold = c('PlaceHold', { holdId: 'hld_1', reason: 'fraud_review', note: 'check the address' });
    it('given a confirmed order, when held, then OrderHoldPlaced and the order is on hold (no ship action)', () => {
      spec
        .given([placed, ...confirmed])
        .when(hold)
        .then([held('hld_1')]);
      const o = fold([placed, ...confirmed, held('hld_1')]);
      expect(isOnHold(o)).to.equal(true);
      expect(allowedActions(o)).to.deep.equal(['update', 'cancel']);
    });
    it('given a held order, when a shipment is recorded, then refused order_on_hold', () =>
      spec
        .given([placed, ...confirmed, held('hld_1')])
        .when(shipAll)
        .thenRefuses('order_on_hold'));
    it('given a held order, when the hold is released, then OrderHoldReleased and shipments go ahead', () => {
      spec
        .given([placed, ...confirmed, held('hld_1')])
        .when(c('ReleaseHold', { holdId: 'hld_1' }))
        .then([released('hld_1')]);
      const events = [placed, ...confirmed, held('hld_1'), released('hld_1')];
      expect(isOnHold(fold(events))).to.equal(false);
      expect(allowedActions(fold(events))).to.include('ship');
      expect(orderDecider.decide(shipAll, fold(events)).map((e) => e.type)).to.deep.equal([
        'OrderShipmentRecorded',
        'OrderShipped',
      ]);
    });
    it('given two holds, when one is released, then the order stays on hold and shipping is still refused', () =>
      spec
        .given([placed, ...confirmed, held('hld_1'), held('hld_2'), released('hld_1')])
        .when(shipAll)
        .thenRefuses('order_on_hold'));
    it('given a held order, when stock is allocated, then the allocation is recorded (a hold only stops shipping)', () =>
      spec
        .given([placed, held('hld_1')])
        .when(
          c('RecordAllocation', {
            allocations: [{ sku: 'A', location: 'default', reserved: 2 }],
            roundComplete: false,
          }),
        )
        .then([
          {
            type: 'OrderAllocationRecorded',
            data: { allocations: [{ sku: 'A', location: 'default', reserved: 2 }], occurredAt: now },
          },
        ]));
    it('given a released hold, when released again, then refused hold_already_released', () =>
      spec
        .given([placed, held('hld_1'), released('hld_1')])
        .when(c('ReleaseHold', { holdId: 'hld_1' }))
        .thenRefuses('hold_already_released'));
    it('given an order, when an unknown hold is released, then refused hold_not_found', () =>
      spec
        .given([placed])
        .when(c('ReleaseHold', { holdId: 'hld_x' }))
        .thenRefuses('hold_not_found'));
    it('given a cancelled order, when held, then refused order_already_cancelled', () =>
      spec.given([placed, cancelled]).when(hold).thenRefuses('order_already_cancelled'));
    it('given a shipped order, when held, then refused order_not_holdable', () => {
      const shipped = orderDecider.decide(shipAll, fold([placed, ...confirmed]));
      spec
        .given([placed, ...confirmed, ...shipped])
        .when(hold)
        .thenRefuses('order_not_holdable');
    });
    it('given a hold, when the same holdId is placed again (a retry), then nothing happens', () =>
      spec
        .given([placed, held('hld_1')])
        .when(hold)
        .thenNothingHappens());
    it('given no order, when held, then refused order_not_found', () =>
      spec.given([]).when(hold).thenRefuses('order_not_found'));
  });
});
