import { DomainError } from '../shared/errors.ts';

export const customerAlreadyExists = (id: string) =>
  new DomainError('customer_already_exists', `customer ${id} already exists`, 'conflict');
export const customerNotFound = (id: string) =>
  new DomainError('customer_not_found', `customer ${id} does not exist`, 'not_found');
export const customerEmailTaken = (email: string) =>
  new DomainError('customer_email_taken', `another customer of this tenant already uses ${email}`, 'conflict');
export const customerForgotten = (id: string) =>
  new DomainError(
    'customer_forgotten',
    `customer ${id}'s personal data was forgotten; it cannot be changed`,
    'conflict',
  );
