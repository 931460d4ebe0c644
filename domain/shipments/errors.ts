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
