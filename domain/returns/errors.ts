import { DomainError } from '../shared/errors.ts';
import type { ReturnStatus } from './state.ts';

export const returnNotFound = (id: string) =>
  new DomainError('return_not_found', `return ${id} does not exist`, 'not_found');
export const returnAlreadyExists = (id: string) =>
  new DomainError('return_already_exists', `return ${id} already exists`, 'conflict');
export const duplicateReturnSku = (sku: string) =>
  new DomainError(
    'duplicate_line_sku',
    `SKU ${sku} appears on more than one line; use one line per SKU`,
    'unprocessable',
    { sku },
  );
export const quantityExceedsReturnable = (sku: string, returnable: number, wanted: number) =>
  new DomainError(
    'quantity_exceeds_returnable',
    `only ${returnable} unit(s) of ${sku} are shipped and not yet claimed by another return; cannot return ${wanted}`,
    'conflict',
    { sku, returnable, quantity: wanted },
  );
export const unknownReturnSku = (sku: string) =>
  new DomainError('unknown_return_sku', `the return has no line for SKU ${sku}`, 'unprocessable', { sku });
export const quantityExceedsApproved = (sku: string, outstanding: number, wanted: number) =>
  new DomainError(
    'quantity_exceeds_approved',
    `only ${outstanding} approved unit(s) of ${sku} are still expected back; cannot receive ${wanted}`,
    'conflict',
    { sku, outstanding, quantity: wanted },
  );
export const refundExceedsReturnValue = (value: number, refunded: number, amount: number) =>
  new DomainError(
    'refund_exceeds_return_value',
    `the returned units were sold for ${value} and ${refunded} was refunded already; cannot refund ${amount} more`,
    'conflict',
    { value, refunded, amount },
  );

/** Why a return in this status cannot do what was asked (one precise code per status). */
export function wrongReturnStatus(status: ReturnStatus, action: string): DomainError {
  const code =
    status === 'requested'
      ? 'return_not_approved'
      : status === 'approved'
        ? 'return_already_approved'
        : status === 'rejected'
          ? 'return_already_rejected'
          : 'return_already_received';
  return new DomainError(code, `the return is ${status}: it cannot be ${action}`, 'conflict', { returnStatus: status });
}
