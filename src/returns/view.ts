import { type ActiveReturn, refundedOf, receivedOf, returnValueOf } from '../../domain/returns/state.ts';

const unitsAs = (r: ActiveReturn, sku: string, condition: 'resellable' | 'damaged') =>
  r.received.filter((l) => l.sku === sku && l.condition === condition).reduce((n, l) => n + l.quantity, 0);

/** The return as the API shows it. */
export function returnView(r: ActiveReturn, version: number) {
  return {
    id: r.returnId,
    orderId: r.orderId,
    status: r.status,
    currency: r.currency,
    lines: r.lines.map((l) => ({
      sku: l.sku,
      quantity: l.quantity,
      reason: l.reason,
      unitPrice: l.unitPrice,
      received: receivedOf(r, l.sku),
      resellable: unitsAs(r, l.sku, 'resellable'),
      damaged: unitsAs(r, l.sku, 'damaged'),
    })),
    note: r.note,
    rejectionReason: r.rejectionReason,
    refunds: r.refunds,
    totals: { value: returnValueOf(r), refunded: refundedOf(r) },
    requestedAt: r.requestedAt,
    approvedAt: r.approvedAt,
    rejectedAt: r.rejectedAt,
    receivedAt: r.receivedAt,
    version,
    createdAt: r.requestedAt,
    updatedAt: r.updatedAt,
  };
}

export type ReturnView = ReturnType<typeof returnView>;
