// Events for the `given` of command specs (test/support/command-spec.ts), as the domain records them.
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../../src/eventstore/port.ts';
import type { InventoryCommand } from '../../domain/inventory/commands.ts';
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import type { InventoryEvent } from '../../domain/inventory/events.ts';
import type { CustomerEvent } from '../../domain/customers/events.ts';
import type { OrderEvent, OrderLineInput } from '../../domain/orders/events.ts';
import type { UniqueClaimEvent } from '../../domain/shared/unique-claim.ts';
import { customerStream } from '../../src/customers/commands.ts';
import { DEFAULT_LOCATION, inventoryStream } from '../../src/inventory/streams.ts';
import { orderStream } from '../../src/orders/commands.ts';
import { NOW, on, TENANT, type History } from './command-spec.ts';

export const ADDRESS = { line1: '1 Quay St', city: 'Bristol', country: 'GB' };

export const customerRegistered = (customerId: string, email: string, at = NOW): CustomerEvent => ({
  type: 'CustomerRegistered',
  data: {
    customerId,
    externalId: null,
    pii: { email, name: 'Ada Lovelace', phone: null, addresses: [ADDRESS] },
    registeredAt: at,
  },
});
export const customerForgotten = (customerId: string): CustomerEvent => ({
  type: 'CustomerForgotten',
  data: { customerId, forgottenAt: NOW },
});
/** A registered customer's stream. */
export const customer = (customerId: string, email = `${customerId}@example.com`, tenant = TENANT): History =>
  on(customerStream(tenant, customerId), customerRegistered(customerId, email));

export const claimed = (ownerId: string, claimedAt = NOW): UniqueClaimEvent => ({
  type: 'UniqueValueClaimed',
  data: { ownerId, claimedAt },
});
export const released = (ownerId: string): UniqueClaimEvent => ({
  type: 'UniqueValueReleased',
  data: { ownerId, releasedAt: NOW },
});

export type Line = Pick<OrderLineInput, 'sku' | 'quantity'> & { unitPrice?: number };
export const orderLines = (lines: Line[]): OrderLineInput[] =>
  lines.map(({ sku, quantity, unitPrice = 1000 }) => ({ sku, quantity, unitPrice }));

export const orderPlaced = (
  orderId: string,
  customerId: string,
  lines: Line[],
  externalId: string | null = null,
): OrderEvent => ({
  type: 'OrderPlaced',
  data: {
    orderId,
    customerId,
    currency: 'EUR',
    lines: orderLines(lines),
    shippingAddress: ADDRESS,
    externalId,
    notes: null,
    placedAt: NOW,
  },
});
export const allocationRecorded = (sku: string, reserved: number, location = DEFAULT_LOCATION): OrderEvent => ({
  type: 'OrderAllocationRecorded',
  data: { allocations: [{ sku, location, reserved }], occurredAt: NOW },
});
export const orderConfirmed: OrderEvent = { type: 'OrderConfirmed', data: { occurredAt: NOW } };
export const orderCancelled = (reason = 'changed my mind'): OrderEvent => ({
  type: 'OrderCancelled',
  data: { reason, releases: [], cancelledAt: NOW },
});

/** An order stream: placed, then whatever followed. */
export const order = (orderId: string, ...events: OrderEvent[]): History => on(orderStream(TENANT, orderId), ...events);

/**
 * A SKU × location stream built by the inventory decider itself, so levels and reservations are
 * consistent: `stock('A').received(10).reserved('ord_1', 3).history()`.
 */
export function stock(sku: string, location = DEFAULT_LOCATION) {
  let state = inventoryDecider.initialState();
  const events: InventoryEvent[] = [];
  const at = { sku, location, now: NOW };
  const builder = {
    apply(command: InventoryCommand) {
      for (const e of inventoryDecider.decide(command, state)) {
        events.push(e);
        state = inventoryDecider.evolve(state, e);
      }
      return builder;
    },
    received: (delta: number) =>
      builder.apply({ type: 'AdjustStock', data: { ...at, delta, reason: 'received', reference: null } }),
    reserved: (orderId: string, quantity: number) =>
      builder.apply({ type: 'ReserveStock', data: { ...at, orderId, quantity } }),
    queued: (orderId: string, quantity: number) =>
      builder.apply({ type: 'QueueBackorder', data: { ...at, orderId, quantity } }),
    shipped: (orderId: string, shipmentId: string, quantity: number) =>
      builder.apply({ type: 'CommitReservation', data: { ...at, orderId, shipmentId, quantity } }),
    history: (tenant = TENANT): History => on(inventoryStream(tenant, sku, location), ...events),
  };
  return builder;
}

/** Appends `n` empty events of `type` to a new stream of `tenant` (projector specs that only count and route events). */
export const appendOfType = (store: EventStore, tenant: string, type: string, n: number) =>
  store.appendToStream(
    `${tenant}:x:${randomUUID()}`,
    Array.from({ length: n }, () => ({
      id: randomUUID(),
      type,
      data: {},
      metadata: { tenant, actor: 't', correlationId: 'c', causationId: null },
    })),
  );
