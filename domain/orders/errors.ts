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
export const orderFullyShipped = (status: string) =>
  new DomainError(
    'order_fully_shipped',
    `the order is ${status}: every unit has shipped or was cancelled, nothing is left to cancel`,
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
export const quantityExceedsUnshippedToCancel = (sku: string, available: number, wanted: number) =>
  new DomainError(
    'quantity_exceeds_unshipped',
    `only ${available} unit(s) of ${sku} are neither shipped nor cancelled; cannot cancel ${wanted}`,
    'conflict',
    { sku, available },
  );
