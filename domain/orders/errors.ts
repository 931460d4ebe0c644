import { DomainError } from '../shared/errors.ts';

export const orderAlreadyExists = (id: string) =>
  new DomainError('order_already_exists', `order ${id} already exists`, 'conflict');
export const orderNotFound = (id: string) =>
  new DomainError('order_not_found', `order ${id} does not exist`, 'not_found');
export const orderNotEditable = (status: string) =>
  new DomainError(
    'order_not_editable',
    `the order is ${status}: it cannot be changed once anything has shipped`,
    'conflict',
  );
export const orderNotCancellable = (status: string) =>
  new DomainError(
    'order_not_cancellable',
    `the order is ${status}: it cannot be cancelled once anything has shipped`,
    'conflict',
  );
export const orderAlreadyCancelled = () =>
  new DomainError('order_already_cancelled', 'the order is already cancelled', 'conflict');
export const duplicateLineSku = (sku: string) =>
  new DomainError(
    'duplicate_line_sku',
    `SKU ${sku} appears on more than one line; use one line per SKU`,
    'unprocessable',
    { sku },
  );
export const unknownLineSku = (sku: string) =>
  new DomainError('unknown_line_sku', `the order has no line for SKU ${sku}`, 'unprocessable', { sku });
export const quantityExceedsUnshipped = (sku: string, available: number, wanted: number) =>
  new DomainError(
    'quantity_exceeds_unshipped',
    `only ${available} unit(s) of ${sku} are reserved and unshipped here; cannot ship ${wanted}`,
    'conflict',
    {
      sku,
      available,
    },
  );
export const shipmentNotFound = (id: string) =>
  new DomainError('shipment_not_found', `the order has no shipment ${id}`, 'not_found');
export const captureExceedsTotal = (total: number, captured: number, amount: number) =>
  new DomainError(
    'capture_exceeds_total',
    `capturing ${amount} more would make ${captured + amount} captured; the order's total is ${total}`,
    'conflict',
    { total, captured, amount },
  );
export const voidAfterCapture = (captured: number) =>
  new DomainError(
    'void_after_capture',
    `${captured} was captured already: an authorization cannot be voided once captured (record a refund instead)`,
    'conflict',
    { captured },
  );
export const voidExceedsAuthorized = (open: number, amount: number) =>
  new DomainError(
    'void_exceeds_authorized',
    `only ${open} is authorized and not voided; cannot void ${amount}`,
    'conflict',
    { authorized: open, amount },
  );
export const duplicatePaymentReference = (type: string, reference: string) =>
  new DomainError(
    'payment_already_recorded',
    `a payment of type ${type} with reference ${reference} is already recorded on this order`,
    'conflict',
    { type, reference },
  );
export const refundExceedsCaptured = (available: number, amount: number) =>
  new DomainError(
    'refund_exceeds_captured',
    `only ${available} is captured and not yet refunded; cannot refund ${amount}`,
    'conflict',
    { available, amount },
  );
export const totalBelowCaptured = (total: number, captured: number) =>
  new DomainError(
    'total_below_captured',
    `the change would make the total ${total}, less than the ${captured} captured and not refunded; refund first`,
    'conflict',
    { total, captured },
  );
export const orderNotHoldable = (status: string) =>
  new DomainError(
    'order_not_holdable',
    `the order is ${status}: nothing is left to ship, so it cannot be held`,
    'conflict',
  );
export const holdNotFound = (id: string) =>
  new DomainError('hold_not_found', `the order has no hold ${id}`, 'not_found');
export const holdAlreadyReleased = (id: string) =>
  new DomainError('hold_already_released', `hold ${id} is already released`, 'conflict');
export const orderOnHold = (holdIds: string[]) =>
  new DomainError(
    'order_on_hold',
    `the order is on hold (${holdIds.join(', ')}): no shipment can be created until every hold is released`,
    'conflict',
    { holds: holdIds },
  );
