import { customerDecider } from '../../domain/customers/decider.ts';
import { orderDecider } from '../../domain/orders/decider.ts';
import { orderNotFound } from '../../domain/orders/errors.ts';
import type { PlaceHold, PlaceOrder, RecordPayment, RecordRefund } from '../../domain/orders/commands.ts';
import type { Shipping } from '../../domain/orders/events.ts';
import type { PlacedOrder } from '../../domain/orders/state.ts';
import { DomainError } from '../../domain/shared/errors.ts';
import { uniqueClaimDecider } from '../../domain/shared/unique-claim.ts';
import { newResourceId, type CommandContext } from '../commands/context.ts';
import { handleCommand } from '../commands/handle.ts';
import { loadAggregate } from '../commands/load.ts';
import { claimStream, claimUniqueValue, releaseUniqueValue } from '../commands/unique-claim.ts';
import { customerStream } from '../customers/commands.ts';
import { streamName, type EventStore, type Position } from '../eventstore/port.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { PatchOrderBody } from './schemas.ts';
import { orderView, type HoldView, type OrderView, type PaymentView } from './view.ts';

interface OrderCommandDeps {
  store: EventStore;
  metrics?: Metrics;
  emailHashKey: string;
}

export const orderStream = (tenant: string, id: string) => streamName(tenant, 'order', id);

const externalIdTaken = (externalId: string) =>
  new DomainError(
    'order_external_id_taken',
    `another order of this tenant already has externalId ${externalId}`,
    'conflict',
  );
const externalIdClaimDecider = uniqueClaimDecider(externalIdTaken);

const customerForgottenForOrders = (id: string) =>
  new DomainError(
    'customer_forgotten',
    `customer ${id}'s personal data was forgotten; place the order for a new customer`,
    'unprocessable',
    { customerId: id },
  );
const customerNotFound = (id: string) =>
  new DomainError('customer_not_found', `customer ${id} does not exist`, 'unprocessable', { customerId: id });

export const loadOrder = (store: EventStore, tenant: string, id: string) =>
  loadAggregate(store, orderStream(tenant, id), orderDecider);

interface OrderCommandResult {
  order: OrderView;
  position: Position | null;
}

function result(
  res: { state: ReturnType<typeof orderDecider.initialState>; version: number; position: Position | null },
  id: string,
): OrderCommandResult {
  if (res.state.status === 'none') throw orderNotFound(id);
  return { order: orderView(res.state as PlacedOrder, res.version), position: res.position };
}

export async function placeOrder(
  deps: OrderCommandDeps,
  ctx: CommandContext,
  input: Omit<PlaceOrder['data'], 'orderId' | 'now'>,
): Promise<OrderCommandResult> {
  // The customer must exist now: read its stream (not a read model that may lag).
  const { state: customer } = await loadAggregate(
    deps.store,
    customerStream(ctx.tenant, input.customerId),
    customerDecider,
  );
  if (customer.status !== 'active') throw customerNotFound(input.customerId);
  // A forgotten customer has no data key any more, so no new personal data can be kept for them.
  if (customer.forgottenAt) throw customerForgottenForOrders(input.customerId);

  const orderId = newResourceId(ctx, 'ord');
  const claim = input.externalId
    ? {
        store: deps.store,
        decider: externalIdClaimDecider,
        stream: claimStream(deps.emailHashKey, ctx.tenant, 'order-external-id', input.externalId),
        ctx,
        value: input.externalId,
        ownerId: orderId,
        // externalId never changes, so an existing owner always still holds it.
        ownerStillHolds: async (owner: string) =>
          (await loadOrder(deps.store, ctx.tenant, owner)).version > 0 ? true : null,
      }
    : null;
  if (claim) await claimUniqueValue(claim);
  try {
    const res = await handleCommand({
      store: deps.store,
      metrics: deps.metrics,
      stream: orderStream(ctx.tenant, orderId),
      decider: orderDecider,
      newStream: true,
      ctx,
      command: { type: 'PlaceOrder', data: { orderId, ...input, now: ctx.now } },
    });
    return result(res, orderId);
  } catch (err) {
    if (claim) await releaseUniqueValue(claim).catch(() => {});
    throw err;
  }
}

async function onExistingOrder(
  deps: OrderCommandDeps,
  ctx: CommandContext,
  orderId: string,
  expectedVersion: number | '*' | undefined,
  command: Parameters<typeof orderDecider.decide>[0],
): Promise<OrderCommandResult> {
  const res = await handleCommand({
    store: deps.store,
    metrics: deps.metrics,
    stream: orderStream(ctx.tenant, orderId),
    decider: orderDecider,
    ctx,
    ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    command: (state) => {
      if (state.status === 'none') throw orderNotFound(orderId);
      return command;
    },
  });
  return result(res, orderId);
}

export function updateOrder(
  deps: OrderCommandDeps,
  ctx: CommandContext,
  input: Omit<PatchOrderBody, 'shipping'> & {
    orderId: string;
    shipping?: Shipping;
    expectedVersion?: number | '*';
  },
): Promise<OrderCommandResult> {
  const { orderId, expectedVersion, ...changes } = input;
  return onExistingOrder(deps, ctx, orderId, expectedVersion, {
    type: 'UpdateOrder',
    data: { ...changes, now: ctx.now },
  });
}

export function cancelOrder(
  deps: OrderCommandDeps,
  ctx: CommandContext,
  input: { orderId: string; reason: string; expectedVersion?: number | '*' },
): Promise<OrderCommandResult> {
  return onExistingOrder(deps, ctx, input.orderId, input.expectedVersion, {
    type: 'CancelOrder',
    data: { reason: input.reason, now: ctx.now },
  });
}

/**
 * Records money given back on the order (RefundRecorded on the order's stream). For returns: call it with
 * the return's id; the same refundId again does nothing, so a retried job is safe. Refused with 409
 * refund_exceeds_captured beyond what was captured and not yet refunded, 404 order_not_found.
 */
export function recordRefund(
  deps: OrderCommandDeps,
  ctx: CommandContext,
  input: Omit<RecordRefund['data'], 'at'> & { orderId: string; expectedVersion?: number | '*' },
): Promise<OrderCommandResult> {
  const { orderId, expectedVersion, ...refund } = input;
  return onExistingOrder(deps, ctx, orderId, expectedVersion, {
    type: 'RecordRefund',
    data: { ...refund, at: ctx.now },
  });
}

/** Records what the payment provider reported; the payment's id is new (or derived from the Idempotency-Key). */
export async function recordPayment(
  deps: OrderCommandDeps,
  ctx: CommandContext,
  input: Omit<RecordPayment['data'], 'paymentId' | 'now'> & { orderId: string; expectedVersion?: number | '*' },
): Promise<OrderCommandResult & { payment: PaymentView }> {
  const { orderId, expectedVersion, ...payment } = input;
  const paymentId = newResourceId(ctx, 'pay');
  const res = await onExistingOrder(deps, ctx, orderId, expectedVersion, {
    type: 'RecordPayment',
    data: { paymentId, ...payment, now: ctx.now },
  });
  return { ...res, payment: res.order.payments.find((p) => p.id === paymentId)! };
}

export async function placeHold(
  deps: OrderCommandDeps,
  ctx: CommandContext,
  input: Omit<PlaceHold['data'], 'holdId' | 'now'> & { orderId: string; expectedVersion?: number | '*' },
): Promise<OrderCommandResult & { hold: HoldView }> {
  const { orderId, expectedVersion, ...hold } = input;
  const holdId = newResourceId(ctx, 'hld');
  const res = await onExistingOrder(deps, ctx, orderId, expectedVersion, {
    type: 'PlaceHold',
    data: { holdId, ...hold, now: ctx.now },
  });
  return { ...res, hold: res.order.holds.find((h) => h.id === holdId)! };
}

export async function releaseHold(
  deps: OrderCommandDeps,
  ctx: CommandContext,
  input: { orderId: string; holdId: string; expectedVersion?: number | '*' },
): Promise<OrderCommandResult & { hold: HoldView }> {
  const res = await onExistingOrder(deps, ctx, input.orderId, input.expectedVersion, {
    type: 'ReleaseHold',
    data: { holdId: input.holdId, now: ctx.now },
  });
  return { ...res, hold: res.order.holds.find((h) => h.id === input.holdId)! };
}
