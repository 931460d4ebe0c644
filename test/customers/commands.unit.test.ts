// The customer command handlers on the in-memory store: email uniqueness per tenant through claim
// streams (case-insensitive, released on change or refusal, taken over from a holder that moved
// on), If-Match before any claim, Idempotency-Key ids. The decider's rules: test/domain/customers.
import { expect } from 'chai';
import type { CustomerEvent } from '../../domain/customers/events.ts';
import { VersionMismatchError } from '../../src/commands/errors.ts';
import { claimStream } from '../../src/commands/unique-claim.ts';
import { customerStream, registerCustomer, updateCustomer } from '../../src/customers/commands.ts';
import { EMAIL_HASH_KEY, given, NOW, on, OTHER_TENANT, TENANT, type Harness } from '../support/command-spec.ts';
import { ADDRESS, claimed, customerForgotten, customerRegistered, released } from '../support/given-events.ts';

const emailClaim = (email: string, tenant = TENANT) => claimStream(EMAIL_HASH_KEY, tenant, 'customer-email', email);
const pii = (email: string) => ({ email, name: 'Ada Lovelace', phone: null, addresses: [ADDRESS] });
const register = (email: string) => (h: Harness) =>
  registerCustomer(h.deps, h.ctx, { pii: pii(email), externalId: null });
const emailChanged = (customerId: string, email: string): CustomerEvent => ({
  type: 'CustomerUpdated',
  data: { customerId, pii: { email }, updatedAt: NOW },
});
/** A registered customer holding the claim on their email, as registerCustomer leaves them. */
const ada = [
  on(customerStream(TENANT, 'cus_ada'), customerRegistered('cus_ada', 'ada@example.com')),
  on(emailClaim('ada@example.com'), claimed('cus_ada')),
];

describe('Customer commands (memory store)', () => {
  describe('registerCustomer', () => {
    it('when registered, then the email is claimed for the new customer and CustomerRegistered', async () => {
      const r = await given()
        .when(register('grace@example.com'))
        .then((r) => ({
          [emailClaim('grace@example.com')]: [claimed(r.customer.id)],
          [customerStream(TENANT, r.customer.id)]: [customerRegistered(r.customer.id, 'grace@example.com')],
        }));
      expect(r.customer).to.include({ email: 'grace@example.com', version: 1, createdAt: NOW });
    });

    it('given a customer with that email in another case, when registered, then refused customer_email_taken', () =>
      given(...ada)
        .when(register('ADA@Example.com'))
        .thenRefuses('customer_email_taken'));

    it('given the email used in another tenant, when registered here, then it is registered', () =>
      given(
        on(customerStream(OTHER_TENANT, 'cus_x'), customerRegistered('cus_x', 'ada@example.com')),
        on(emailClaim('ada@example.com', OTHER_TENANT), claimed('cus_x')),
      )
        .when(register('ada@example.com'))
        .then((r) => ({
          [emailClaim('ada@example.com')]: [claimed(r.customer.id)],
          [customerStream(TENANT, r.customer.id)]: [{ type: 'CustomerRegistered' }],
        })));

    it('given a claim whose holder has since moved to another email (its release was lost), when registered, then taken over', () =>
      given(
        on(
          customerStream(TENANT, 'cus_ada'),
          customerRegistered('cus_ada', 'ada@example.com'),
          emailChanged('cus_ada', 'countess@example.com'),
        ),
        on(emailClaim('ada@example.com'), claimed('cus_ada')),
      )
        .when(register('ada@example.com'))
        .then((r) => ({
          [emailClaim('ada@example.com')]: [claimed(r.customer.id)],
          [customerStream(TENANT, r.customer.id)]: [{ type: 'CustomerRegistered' }],
        })));

    it('given the first attempt was written, when retried with the same Idempotency-Key, then the same id and nothing appended', async () => {
      const key = { idempotencyKey: 'k', idempotency: { seed: 'seed-k', since: Date.parse(NOW) } };
      let first = '';
      const retry = await given()
        .and(async (h) => {
          first = (await registerCustomer(h.deps, h.request(key), { pii: pii('g@example.com'), externalId: null }))
            .customer.id;
        })
        .when((h) => registerCustomer(h.deps, h.request(key), { pii: pii('g@example.com'), externalId: null }))
        .thenNothingHappens();
      expect(retry.customer.id).to.equal(first);
    });
  });

  describe('updateCustomer', () => {
    const update = (changes: object, expectedVersion?: number) => (h: Harness) =>
      updateCustomer(h.deps, h.ctx, {
        customerId: 'cus_ada',
        changes,
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      });

    it('when the email changes, then the new one is claimed, CustomerUpdated, and the old one released', () =>
      given(...ada)
        .when(update({ email: 'countess@example.com' }))
        .then({
          [emailClaim('countess@example.com')]: [claimed('cus_ada')],
          [customerStream(TENANT, 'cus_ada')]: [emailChanged('cus_ada', 'countess@example.com')],
          [emailClaim('ada@example.com')]: [released('cus_ada')],
        }));

    it('given an email change, when someone registers the old email, then it is theirs', () =>
      given(...ada)
        .and(update({ email: 'countess@example.com' }))
        .when(register('ada@example.com'))
        .then((r) => ({
          [emailClaim('ada@example.com')]: [claimed(r.customer.id)],
          [customerStream(TENANT, r.customer.id)]: [{ type: 'CustomerRegistered' }],
        })));

    it('when only the case of the email changes, then CustomerUpdated and no claim is touched', () =>
      given(...ada)
        .when(update({ email: 'Ada@Example.com' }))
        .then({ [customerStream(TENANT, 'cus_ada')]: [emailChanged('cus_ada', 'Ada@Example.com')] }));

    it("when the email changes to another customer's, then refused customer_email_taken and nothing appended", () =>
      given(
        ...ada,
        on(customerStream(TENANT, 'cus_bob'), customerRegistered('cus_bob', 'bob@example.com')),
        on(emailClaim('bob@example.com'), claimed('cus_bob')),
      )
        .when(update({ email: 'BOB@example.com' }))
        .thenRefuses('customer_email_taken'));

    it('when If-Match names an older version, then VersionMismatchError before any claim is taken', async () => {
      const err = await given(...ada)
        .and(update({ name: 'Augusta Ada King' }))
        .when(update({ email: 'countess@example.com' }, 1))
        .thenFails(VersionMismatchError);
      expect(err).to.include({ expected: 1, actual: 2 });
    });

    it('given a forgotten customer, when the email changes, then refused customer_forgotten and the new claim released', () =>
      given(
        on(
          customerStream(TENANT, 'cus_ada'),
          customerRegistered('cus_ada', 'ada@example.com'),
          customerForgotten('cus_ada'),
        ),
      )
        .when(update({ email: 'countess@example.com' }))
        .thenRefuses('customer_forgotten', {
          [emailClaim('countess@example.com')]: [claimed('cus_ada'), released('cus_ada')],
        }));

    it('given no such customer, when updated, then refused customer_not_found', () =>
      given()
        .when(update({ name: 'Nobody' }))
        .thenRefuses('customer_not_found'));
  });
});
