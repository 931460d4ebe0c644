import { expect } from 'chai';
import {
  PERSONAL_DATA_EVENT_SCOPES,
  publicEventsFor,
  SOURCE_EVENT_TYPES,
  WEBHOOK_EVENT_TYPES,
} from '../../src/webhooks/catalogue.ts';

// Holds, payments and refunds become webhook notifications (the fan-out listens to their events).

const stream = 'acme:order:ord_01jd0000000000000000000000';
const at = '2026-12-03T10:00:00.000Z';

describe('Webhook catalogue: holds, payments, refunds', () => {
  const cases: [type: string, data: Record<string, unknown>, expected: string][] = [
    ['OrderHoldPlaced', { holdId: 'hld_1', reason: 'fraud_review', note: null, placedAt: at }, 'order.held'],
    ['OrderHoldReleased', { holdId: 'hld_1', releasedAt: at }, 'order.hold_released'],
    [
      'OrderPaymentRecorded',
      { paymentId: 'pay_1', type: 'captured', amount: 100, reference: 'ch_1', recordedAt: at },
      'order.payment_recorded',
    ],
    [
      'RefundRecorded',
      { refundId: 'rfd_1', returnId: 'ret_1', amount: 100, reference: 're_1', recordedAt: at },
      'refund.recorded',
    ],
  ];
  for (const [type, data, expected] of cases) {
    it(`${type} → ${expected} with the order's id and the event's data`, () => {
      expect(SOURCE_EVENT_TYPES).to.include(type);
      expect(WEBHOOK_EVENT_TYPES).to.include(expected);
      expect(publicEventsFor({ type, data, streamName: stream }, 0)).to.deep.equal([
        { type: expected, data: { orderId: 'ord_01jd0000000000000000000000', ...data } },
      ]);
    });
  }
  it('order.held may carry a free-text note: subscribing needs orders:read', () =>
    expect(PERSONAL_DATA_EVENT_SCOPES['order.held']).to.equal('orders:read'));
});
