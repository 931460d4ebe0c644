import { DomainError } from '../shared/errors.ts';

export const insufficientStock = (onHand: number, delta: number) =>
  new DomainError('insufficient_stock', `onHand ${onHand} cannot move by ${delta}: it would drop below 0`, 'conflict', {
    onHand,
    delta,
  });
export const quantityExceedsUnshipped = (orderId: string, reserved: number, quantity: number) =>
  new DomainError(
    'quantity_exceeds_unshipped',
    `order ${orderId} has ${reserved} reserved here, cannot ship ${quantity}`,
    'conflict',
    {
      orderId,
      reserved,
      quantity,
    },
  );
export const quantityExceedsShipped = (shipmentId: string, outstanding: number, quantity: number) =>
  new DomainError(
    'quantity_exceeds_shipped',
    `shipment ${shipmentId} has ${outstanding} shipped here, cannot return ${quantity}`,
    'conflict',
    {
      shipmentId,
      outstanding,
      quantity,
    },
  );
export const shipmentNotFound = (shipmentId: string) =>
  new DomainError('shipment_not_found', `shipment ${shipmentId} committed nothing for this order here`, 'not_found');
export const invalidQuantity = (field: string, value: number, rule: string) =>
  new DomainError('invalid_quantity', `${field} must be ${rule}, got ${value}`, 'unprocessable', { field, value });
export const reasonSignMismatch = (reason: string, delta: number, expected: 'positive' | 'negative') =>
  new DomainError(
    'reason_sign_mismatch',
    `reason ${reason} needs a ${expected} delta, got ${delta} (use correction for either way)`,
    'unprocessable',
    { reason, delta, expected },
  );
