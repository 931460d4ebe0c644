import { expect } from 'chai';
import { customerDecider } from '../../domain/customers/decider.ts';
import type { CustomerEvent, CustomerPii } from '../../domain/customers/events.ts';
import { redactedPii } from '../../domain/customers/redacted.ts';
import { emailClaimDecider } from '../../domain/customers/email-claim.ts';
import { CLAIM_GRACE_MS } from '../../domain/shared/unique-claim.ts';
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
const forgotten: CustomerEvent = { type: 'CustomerForgotten', data: { customerId: 'cus_1', forgottenAt: later } };
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
        .when({
          type: 'UpdateCustomer',
          data: { customerId: 'cus_1', changes: { name: 'Ada King', phone: null }, now: later },
        })
        .then([
          { type: 'CustomerUpdated', data: { customerId: 'cus_1', pii: { name: 'Ada King' }, updatedAt: later } },
        ]));

    it('given a customer, when nothing actually changes, then nothing happens', () =>
      spec
        .given([registered])
        .when({
          type: 'UpdateCustomer',
          data: { customerId: 'cus_1', changes: { name: 'Ada Lovelace', addresses: pii.addresses }, now: later },
        })
        .thenNothingHappens());

    it('given no customer, when updated, then refused customer_not_found', () =>
      spec
        .given([])
        .when({ type: 'UpdateCustomer', data: { customerId: 'cus_1', changes: { name: 'X' }, now } })
        .thenRefuses('customer_not_found'));

    it('given a forgotten customer, when updated, then refused customer_forgotten', () =>
      spec
        .given([registered, forgotten])
        .when({ type: 'UpdateCustomer', data: { customerId: 'cus_1', changes: { name: 'X' }, now } })
        .thenRefuses('customer_forgotten'));
  });

  describe('ForgetCustomer', () => {
    it('given a customer, when forgotten, then CustomerForgotten without personal data', () =>
      spec
        .given([registered])
        .when({ type: 'ForgetCustomer', data: { customerId: 'cus_1', now: later } })
        .then([forgotten]));

    it('given a forgotten customer, when forgotten again, then nothing happens', () =>
      spec
        .given([registered, forgotten])
        .when({ type: 'ForgetCustomer', data: { customerId: 'cus_1', now: later } })
        .thenNothingHappens());

    it('given no customer, when forgotten, then refused customer_not_found', () =>
      spec
        .given([])
        .when({ type: 'ForgetCustomer', data: { customerId: 'cus_1', now } })
        .thenRefuses('customer_not_found'));

    it('given a customer with personal data, when CustomerForgotten is folded, then every personal field is redacted', () => {
      const state = [registered, forgotten].reduce(customerDecider.evolve, customerDecider.initialState());
      expect(state).to.deep.include({
        status: 'active',
        ...redactedPii(),
        externalId: 'ext-1',
        forgottenAt: later,
        updatedAt: later,
      });
      expect(JSON.stringify(state)).to.not.match(/Ada|Lovelace|Analytical|London|example\.com/);
    });
  });
});

describe('Unique value claim decider (customer email)', () => {
  const res = deciderSpec(emailClaimDecider);
  const claimedBy1 = { type: 'UniqueValueClaimed' as const, data: { ownerId: 'cus_1', claimedAt: now } };
  const claim = (ownerId: string, ownerStillHolds: boolean | null, at = now) => ({
    type: 'ClaimUniqueValue' as const,
    data: { ownerId, value: 'ada@example.com', now: at, ownerStillHolds },
  });

  it('given a free value, when claimed, then UniqueValueClaimed', () =>
    res.given([]).when(claim('cus_1', null)).then([claimedBy1]));

  it('given a value held by an owner who still holds it, when another claims, then refused customer_email_taken', () =>
    res
      .given([claimedBy1])
      .when(claim('cus_2', true, later))
      .thenRefuses('customer_email_taken'));

  it('given a value whose owner moved on, when another claims, then UniqueValueClaimed', () =>
    res
      .given([claimedBy1])
      .when(claim('cus_2', false, later))
      .then([{ type: 'UniqueValueClaimed', data: { ownerId: 'cus_2', claimedAt: later } }]));

  it('given a fresh claim whose owner does not exist yet, when another claims, then refused', () =>
    res
      .given([claimedBy1])
      .when(claim('cus_2', null, now))
      .thenRefuses('customer_email_taken'));

  it('given an orphaned claim older than the grace period, when another claims, then UniqueValueClaimed', () => {
    const afterGrace = new Date(Date.parse(now) + CLAIM_GRACE_MS + 1).toISOString();
    res
      .given([claimedBy1])
      .when(claim('cus_2', null, afterGrace))
      .then([{ type: 'UniqueValueClaimed', data: { ownerId: 'cus_2', claimedAt: afterGrace } }]);
  });

  it('given the owner, when the owner claims again, then nothing happens', () =>
    res
      .given([claimedBy1])
      .when(claim('cus_1', true, later))
      .thenNothingHappens());

  it('given a claim, when its owner releases it, then UniqueValueReleased; another owner cannot release it', () => {
    res
      .given([claimedBy1])
      .when({ type: 'ReleaseUniqueValue', data: { ownerId: 'cus_1', now: later } })
      .then([{ type: 'UniqueValueReleased', data: { ownerId: 'cus_1', releasedAt: later } }]);
    res
      .given([claimedBy1])
      .when({ type: 'ReleaseUniqueValue', data: { ownerId: 'cus_2', now: later } })
      .thenNothingHappens();
  });
});
