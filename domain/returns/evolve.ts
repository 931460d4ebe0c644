import type { ReturnEvent } from './events.ts';
import type { ReturnState } from './state.ts';

export function evolveReturn(state: ReturnState, event: ReturnEvent): ReturnState {
  if (event.type === 'ReturnRequested') {
    const d = event.data;
    return {
      status: 'requested',
      returnId: d.returnId,
      orderId: d.orderId,
      currency: d.currency,
      lines: d.lines,
      note: d.note,
      received: [],
      rejectionReason: null,
      refunds: [],
      requestedAt: d.requestedAt,
      approvedAt: null,
      rejectedAt: null,
      receivedAt: null,
      updatedAt: d.requestedAt,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ReturnApproved':
      return { ...state, status: 'approved', approvedAt: event.data.approvedAt, updatedAt: event.data.approvedAt };
    case 'ReturnRejected':
      return {
        ...state,
        status: 'rejected',
        rejectionReason: event.data.reason,
        rejectedAt: event.data.rejectedAt,
        updatedAt: event.data.rejectedAt,
      };
    case 'ReturnReceived':
      return {
        ...state,
        status: event.data.status,
        received: [...state.received, ...event.data.lines],
        receivedAt: event.data.receivedAt,
        updatedAt: event.data.receivedAt,
      };
    case 'ReturnRefundRecorded': {
      const { refundId, amount, reference, recordedAt } = event.data;
      const refunds = [...state.refunds, { refundId, amount, reference, recordedAt }];
      return { ...state, refunds, updatedAt: recordedAt };
    }
    default:
      return state;
  }
}
