import { DomainError } from '../shared/errors.ts';

export const shipmentAlreadyExists = (id: string) =>
  new DomainError('shipment_already_exists', `shipment ${id} already exists`, 'conflict');
export const shipmentNotFound = (id: string) =>
  new DomainError('shipment_not_found', `shipment ${id} does not exist`, 'not_found');
export const invalidShipmentTransition = (from: string, to: string) =>
  new DomainError('invalid_shipment_transition', `a shipment that is ${from} cannot become ${to}`, 'conflict', {
    from,
    to,
  });
/** A late update that, slotted in at its time, would make the timeline an impossible sequence. */
export const invalidLateTransition = (from: string, to: string, occurredAt: string) =>
  new DomainError(
    'invalid_shipment_transition',
    `at ${occurredAt} the timeline would go from ${from} to ${to}, which a shipment cannot do`,
    'conflict',
    { from, to, occurredAt },
  );
export const occurredAtOutOfRange = (occurredAt: string, earliest: string, latest: string) =>
  new DomainError(
    'occurred_at_out_of_range',
    `occurredAt ${occurredAt} is outside ${earliest} … ${latest} (the shipment's creation to now, give or take the allowed clock skew)`,
    'unprocessable',
    { occurredAt, earliest, latest },
  );
