import { customerDecider } from '../../domain/customers/decider.ts';
import type { CustomerEvent, CustomerPii } from '../../domain/customers/events.ts';
import { emailReservationDecider, RESERVATION_GRACE_MS } from '../../domain/customers/email-reservation.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(customerDecider);
const now = '2026-11-28T10:00:00.000Z';
const later = '2026-11-28T11:00:00.000Z';
const pii: CustomerPii = {
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  phone: null,
  addresses: [{ line1: '1 Analytical St', city: 'London', country: 'GB' }],
};
const registered: CustomerEvent = {
  type: 'CustomerRegistered',
  data: { customerId: 'cus_1', externalId: 'ext-1', pii, registeredAt: now },
};

describe('Customer decider', () => {
  describe('RegisterCustomer', () => {
    it('given no customer, when registered, then CustomerRegistered', () =>
      spec
        .given([])
        .when({ type: 'RegisterCustomer', data: { customerId: 'cus_1', externalId: 'ext-1', pii, now } })
        .then([registered]));

    it('given a registered customer, when registered again, then refused customer_already_exists', () =>
      spec
        .given([registered])
        .when({ type: 'RegisterCustomer', data: { customerId: 'cus_1', externalId: null, pii, now } })
        .thenRefuses('customer_already_exists'));
  });

  describe('UpdateCustomer', () => {
    it('given a customer, when fields change, then CustomerUpdated with only the changed fields', () =>
      spec
        .given([registered])
        .when({ type: 'UpdateCustomer', data: { customerId: 'cus_1', changes: { name: 'Ada King', phone: null }, now: later } })
        .then([{ type: 'CustomerUpdated', data: { customerId: 'cus_1', pii: { name: 'Ada King' }, updatedAt: later } }]));

    it('given a customer, when nothing actually changes, then nothing happens', () =>
      spec
        .given([registered])
        .when({ type: 'UpdateCustomer', data: { customerId: 'cus_1', changes: { name: 'Ada Lovelace', addresses: pii.addresses }, now: later } })
        .thenNothingHappens());

    it('given no customer, when updated, then refused customer_not_found', () =>
      spec
        .given([])
        .when({ type: 'UpdateCustomer', data: { customerId: 'cus_1', changes: { name: 'X' }, now } })
        .thenRefuses('customer_not_found'));
  });
});

describe('Email reservation decider', () => {
  const res = deciderSpec(emailReservationDecider);
  const reservedBy1 = { type: 'EmailReserved' as const, data: { customerId: 'cus_1', reservedAt: now } };
  const reserve = (customerId: string, holderStillOwns: boolean | null, at = now) => ({
    type: 'ReserveEmail' as const,
    data: { customerId, email: 'ada@example.com', now: at, holderStillOwns },
  });

  it('given a free email, when reserved, then EmailReserved', () =>
    res.given([]).when(reserve('cus_1', null)).then([reservedBy1]));

  it('given an email held by a customer who still uses it, when another reserves, then refused customer_email_taken', () =>
    res.given([reservedBy1]).when(reserve('cus_2', true, later)).thenRefuses('customer_email_taken'));

  it('given an email whose holder moved to another email, when another reserves, then EmailReserved', () =>
    res
      .given([reservedBy1])
      .when(reserve('cus_2', false, later))
      .then([{ type: 'EmailReserved', data: { customerId: 'cus_2', reservedAt: later } }]));

  it('given a fresh reservation whose holder does not exist yet, when another reserves, then refused', () =>
    res.given([reservedBy1]).when(reserve('cus_2', null, now)).thenRefuses('customer_email_taken'));

  it('given an orphaned reservation older than the grace period, when another reserves, then EmailReserved', () => {
    const afterGrace = new Date(Date.parse(now) + RESERVATION_GRACE_MS + 1).toISOString();
    res
      .given([reservedBy1])
      .when(reserve('cus_2', null, afterGrace))
      .then([{ type: 'EmailReserved', data: { customerId: 'cus_2', reservedAt: afterGrace } }]);
  });

  it('given the holder, when the holder reserves again, then nothing happens', () =>
    res.given([reservedBy1]).when(reserve('cus_1', true, later)).thenNothingHappens());

  it('given a reservation, when its holder releases it, then EmailReleased; another customer cannot release it', () => {
    res
      .given([reservedBy1])
      .when({ type: 'ReleaseEmail', data: { customerId: 'cus_1', now: later } })
      .then([{ type: 'EmailReleased', data: { customerId: 'cus_1', releasedAt: later } }]);
    res.given([reservedBy1]).when({ type: 'ReleaseEmail', data: { customerId: 'cus_2', now: later } }).thenNothingHappens();
  });
});
