import type { ReceivedLine, ReturnLine } from './events.ts';

export type ReturnStatus = 'requested' | 'approved' | 'rejected' | 'partially_received' | 'received';

export interface Refund {
  refundId: string;
  amount: number;
  reference: string;
  recordedAt: string;
}

export interface ActiveReturn {
  status: ReturnStatus;
  returnId: string;
  orderId: string;
  currency: string;
  lines: ReturnLine[];
  note: string | null;
  /** Every unit received so far, as received (a SKU may appear once per receipt and condition). */
  received: ReceivedLine[];
  rejectionReason: string | null;
  refunds: Refund[];
  requestedAt: string;
  approvedAt: string | null;
  rejectedAt: string | null;
  receivedAt: string | null;
  updatedAt: string;
}

export type ReturnState = { status: 'none' } | ActiveReturn;

export const initialReturnState = (): ReturnState => ({ status: 'none' });

const unitsOf = (lines: readonly { sku: string; quantity: number }[], sku: string) =>
  lines.reduce((n, l) => (l.sku === sku ? n + l.quantity : n), 0);

/** Units of the SKU the return covers (approved once the return is). */
export const requestedOf = (r: ActiveReturn, sku: string) => unitsOf(r.lines, sku);
/** Units of the SKU received so far, whatever their condition. */
export const receivedOf = (r: ActiveReturn, sku: string) => unitsOf(r.received, sku);
/** Units of the SKU received in this condition. */
export const receivedAs = (r: ActiveReturn, condition: ReceivedLine['condition']) =>
  r.received.filter((l) => l.condition === condition).reduce((n, l) => n + l.quantity, 0);

/** What the returned units were sold for: the most that can be refunded for the return. */
export const returnValueOf = (r: ActiveReturn) => r.lines.reduce((n, l) => n + l.quantity * l.unitPrice, 0);
export const refundedOf = (r: ActiveReturn) => r.refunds.reduce((n, f) => n + f.amount, 0);
