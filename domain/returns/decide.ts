import { assertQuantity } from '../shared/limits.ts';
import type { ReturnCommand } from './commands.ts';
import {
  duplicateReturnSku,
  quantityExceedsApproved,
  refundExceedsReturnValue,
  returnAlreadyExists,
  returnNotFound,
  unknownReturnSku,
  wrongReturnStatus,
} from './errors.ts';
import type { ReturnEvent } from './events.ts';
import { type ActiveReturn, receivedOf, refundedOf, requestedOf, type ReturnState, returnValueOf } from './state.ts';

function active(state: ReturnState): ActiveReturn {
  if (state.status === 'none') throw returnNotFound('');
  return state;
}

// What may be returned at all (shipped, not claimed yet) is the order's rule: see order-side.ts.
export function decideReturn(command: ReturnCommand, state: ReturnState): ReturnEvent[] {
  switch (command.type) {
    case 'RequestReturn': {
      if (state.status !== 'none') throw returnAlreadyExists(command.data.returnId);
      const seen = new Set<string>();
      for (const l of command.data.lines) {
        if (seen.has(l.sku)) throw duplicateReturnSku(l.sku);
        seen.add(l.sku);
        assertQuantity('quantity', l.quantity);
      }
      const { now, ...d } = command.data;
      return [{ type: 'ReturnRequested', data: { ...d, requestedAt: now } }];
    }
    case 'ApproveReturn': {
      const r = active(state);
      if (r.status !== 'requested') throw wrongReturnStatus(r.status, 'approved');
      return [{ type: 'ReturnApproved', data: { returnId: r.returnId, approvedAt: command.data.now } }];
    }
    case 'RejectReturn': {
      const r = active(state);
      if (r.status !== 'requested') throw wrongReturnStatus(r.status, 'rejected');
      const { reason, now } = command.data;
      return [{ type: 'ReturnRejected', data: { returnId: r.returnId, reason, rejectedAt: now } }];
    }
    case 'ReceiveReturn': {
      const r = active(state);
      if (r.status !== 'approved' && r.status !== 'partially_received') throw wrongReturnStatus(r.status, 'received');
      const { location, lines, now } = command.data;
      for (const sku of new Set(lines.map((l) => l.sku))) {
        if (!r.lines.some((l) => l.sku === sku)) throw unknownReturnSku(sku);
        const wanted = lines.filter((l) => l.sku === sku).reduce((n, l) => n + l.quantity, 0);
        assertQuantity('quantity', wanted);
        const outstanding = requestedOf(r, sku) - receivedOf(r, sku);
        if (wanted > outstanding) throw quantityExceedsApproved(sku, outstanding, wanted);
      }
      const after = { ...r, received: [...r.received, ...lines] };
      const complete = r.lines.every((l) => receivedOf(after, l.sku) >= l.quantity);
      return [
        {
          type: 'ReturnReceived',
          data: {
            returnId: r.returnId,
            location,
            lines,
            status: complete ? 'received' : 'partially_received',
            receivedAt: now,
          },
        },
      ];
    }
    case 'RecordReturnRefund': {
      const r = active(state);
      if (r.status === 'requested' || r.status === 'rejected') throw wrongReturnStatus(r.status, 'refunded');
      const { refundId, amount, reference, now } = command.data;
      if (refundedOf(r) + amount > returnValueOf(r))
        throw refundExceedsReturnValue(returnValueOf(r), refundedOf(r), amount);
      return [
        {
          type: 'ReturnRefundRecorded',
          data: {
            refundId,
            returnId: r.returnId,
            orderId: r.orderId,
            amount,
            currency: r.currency,
            reference,
            recordedAt: now,
          },
        },
      ];
    }
  }
}
