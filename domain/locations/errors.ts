import { DomainError } from '../shared/errors.ts';
import { MAX_PRIORITY } from './state.ts';

export const locationNotFound = (code: string) =>
  new DomainError('location_not_found', `location ${code} is not defined`, 'not_found');
export const invalidLocationPriority = (priority: number) =>
  new DomainError(
    'invalid_location_priority',
    `priority must be a whole number from 1 (tried first) to ${MAX_PRIORITY}; got ${priority}`,
    'unprocessable',
    { priority },
  );
export const invalidLocationName = () =>
  new DomainError('invalid_location_name', 'a location needs a name that is not blank', 'unprocessable');
export const locationCodeMismatch = (stream: string, code: string) =>
  new DomainError('location_code_mismatch', `location ${stream} cannot be redefined as ${code}`, 'conflict');
