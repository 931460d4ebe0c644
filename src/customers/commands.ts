import type { CustomerCommand } from '../../domain/customers/commands.ts';
import { customerDecider } from '../../domain/customers/decider.ts';
import { customerNotFound } from '../../domain/customers/errors.ts';
import { emailClaimDecider } from '../../domain/customers/email-claim.ts';
import type { CustomerPii } from '../../domain/customers/events.ts';
import { newResourceId, type CommandContext } from '../commands/context.ts';
import { VersionMismatchError } from '../commands/errors.ts';
import { handleCommand } from '../commands/handle.ts';
import { activeCustomers } from './active-customers.ts';
import { loadAggregate } from '../commands/load.ts';
import { claimStream, claimUniqueValue, releaseUniqueValue } from '../commands/unique-claim.ts';
import { streamName, type EventStore, type Position } from '../eventstore/port.ts';
import type { PiiKeys } from '../pii/keys.ts';
import type { Metrics } from '../observability/metrics.ts';
import { viewFromState, type CustomerView } from './view.ts';

export interface CustomerCommandDeps {
  store: EventStore;
  metrics?: Metrics;
  emailHashKey: string;
}

export const customerStream = (tenant: string, id: string) => streamName(tenant, 'customer', id);

const loadCustomer = (store: EventStore, tenant: string, id: string) =>
  loadAggregate(store, customerStream(tenant, id), customerDecider);

const emailClaim = (deps: CustomerCommandDeps, ctx: CommandContext, email: string, customerId: string) => ({
  store: deps.store,
  decider: emailClaimDecider,
  stream: claimStream(deps.emailHashKey, ctx.tenant, 'customer-email', email),
  ctx,
  value: email,
  ownerId: customerId,
  async ownerStillHolds(owner: string) {
    const holder = await loadCustomer(deps.store, ctx.tenant, owner);
    return holder.state.status === 'active' ? holder.state.email.toLowerCase() === email.toLowerCase() : null;
  },
});

/** Claims `email` for `customerId` (exactly one concurrent claim wins). */
const reserveEmail = (deps: CustomerCommandDeps, ctx: CommandContext, email: string, customerId: string) =>
  claimUniqueValue(emailClaim(deps, ctx, email, customerId));

const releaseEmail = (deps: CustomerCommandDeps, ctx: CommandContext, email: string, customerId: string) =>
  releaseUniqueValue(emailClaim(deps, ctx, email, customerId));

export interface CustomerCommandResult {
  customer: CustomerView;
  position: Position | null;
}

/** Runs one customer command on its stream and returns the customer as it now is. */
async function runCustomerCommand(
  deps: CustomerCommandDeps,
  ctx: CommandContext,
  customerId: string,
  command: CustomerCommand,
  options: { expectedVersion?: number | '*'; newStream?: boolean } = {},
): Promise<CustomerCommandResult> {
  const res = await handleCommand({
    store: deps.store,
    metrics: deps.metrics,
    stream: customerStream(ctx.tenant, customerId),
    decider: customerDecider,
    ctx,
    ...(options.expectedVersion !== undefined ? { expectedVersion: options.expectedVersion } : {}),
    newStream: options.newStream ?? false,
    command,
  });
  if (res.state.status !== 'active') throw customerNotFound(customerId);
  return { customer: viewFromState(res.state, res.version), position: res.position };
}

export async function registerCustomer(
  deps: CustomerCommandDeps,
  ctx: CommandContext,
  input: { pii: CustomerPii; externalId: string | null },
): Promise<CustomerCommandResult> {
  const customerId = newResourceId(ctx, 'cus');
  await reserveEmail(deps, ctx, input.pii.email, customerId);
  try {
    return await runCustomerCommand(
      deps,
      ctx,
      customerId,
      {
        type: 'RegisterCustomer',
        data: { customerId, externalId: input.externalId, pii: input.pii, now: ctx.now },
      },
      { newStream: true },
    );
  } catch (err) {
    await releaseEmail(deps, ctx, input.pii.email, customerId).catch(() => {});
    throw err;
  }
}

export async function updateCustomer(
  deps: CustomerCommandDeps,
  ctx: CommandContext,
  input: { customerId: string; changes: Partial<CustomerPii>; expectedVersion?: number | '*' },
): Promise<CustomerCommandResult> {
  const current = await loadCustomer(deps.store, ctx.tenant, input.customerId);
  if (current.state.status !== 'active') {
    if (input.expectedVersion === '*') throw new VersionMismatchError('*', current.version);
    throw customerNotFound(input.customerId);
  }
  if (typeof input.expectedVersion === 'number' && input.expectedVersion !== current.version) {
    throw new VersionMismatchError(input.expectedVersion, current.version);
  }
  const oldEmail = current.state.email;
  const newEmail = input.changes.email;
  const emailChanges = newEmail !== undefined && newEmail.toLowerCase() !== oldEmail.toLowerCase();
  if (emailChanges) await reserveEmail(deps, ctx, newEmail, input.customerId);
  try {
    const result = await runCustomerCommand(
      deps,
      ctx,
      input.customerId,
      { type: 'UpdateCustomer', data: { customerId: input.customerId, changes: input.changes, now: ctx.now } },
      { ...(input.expectedVersion !== undefined ? { expectedVersion: input.expectedVersion } : {}) },
    );
    // The old address is free again; should this fail, the reservation is reclaimable anyway
    // because its holder no longer uses that email.
    if (emailChanges) await releaseEmail(deps, ctx, oldEmail, input.customerId).catch(() => {});
    return result;
  } catch (err) {
    if (emailChanges) await releaseEmail(deps, ctx, newEmail, input.customerId).catch(() => {});
    throw err;
  }
}

/**
 * Forgets the customer's personal data: the email claim is released, the data key is destroyed (that is the forgetting;
 * if the append below then fails, a retry appends it), then CustomerForgotten records it in the
 * history. Personal fields of every earlier event, on the customer and their orders, read back
 * redacted from then on. Idempotent.
 */
export async function forgetCustomer(
  deps: CustomerCommandDeps & { piiKeys: PiiKeys },
  ctx: CommandContext,
  input: { customerId: string },
): Promise<CustomerCommandResult> {
  const current = await loadCustomer(deps.store, ctx.tenant, input.customerId);
  if (current.state.status !== 'active') throw customerNotFound(input.customerId);
  // The claim stream links the email's HMAC to the customer: release it while the email can still
  // be read (after the key is gone it cannot, so a failed forget retried would never release it).
  await releaseEmail(deps, ctx, current.state.email, input.customerId);
  // No order of this process takes the customer for active any more (before the key goes).
  activeCustomers(deps.store).forget(ctx.tenant, input.customerId);
  await deps.piiKeys.destroy(ctx.tenant, input.customerId);
  const res = await runCustomerCommand(deps, ctx, input.customerId, {
    type: 'ForgetCustomer',
    data: { customerId: input.customerId, now: ctx.now },
  });
  // Again: an order placed meanwhile may have read the stream before CustomerForgotten.
  activeCustomers(deps.store).forget(ctx.tenant, input.customerId);
  return res;
}
