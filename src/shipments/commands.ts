// Creating a shipment touches three streams: the order (what may ship: reserved, unshipped),
// the inventory of each line (commit the reservation: onHand and reserved drop) and the shipment
// itself. The order goes first because it holds the rule; the rest is idempotent per shipment id
// and is also run by the shipment-follow-up job, so a crash between the steps heals itself.
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import { orderDecider } from '../../domain/orders/decider.ts';
import { orderNotFound } from '../../domain/orders/errors.ts';
import type { ShipmentDetails, ShipmentLine } from '../../domain/orders/events.ts';
import type { PlacedOrder } from '../../domain/orders/state.ts';
import { shipmentDecider } from '../../domain/shipments/decider.ts';
import { shipmentNotFound } from '../../domain/shipments/errors.ts';
import type { ActiveShipment } from '../../domain/shipments/state.ts';
import { DomainError } from '../../domain/shared/errors.ts';
import { newResourceId, type CommandContext } from '../commands/context.ts';
import { handleCommand } from '../commands/handle.ts';
import { loadAggregate } from '../commands/load.ts';
import { streamName, type EventStore, type Position } from '../eventstore/port.ts';
import { DEFAULT_LOCATION, inventoryStates, inventoryStream, locationCode } from '../inventory/streams.ts';
import type { Metrics } from '../observability/metrics.ts';
import { loadOrder, orderStream } from '../orders/commands.ts';
import type { TrackingEventBody } from './schemas.ts';
import { shipmentView, type ShipmentView } from './view.ts';

interface ShipmentDeps {
  store: EventStore;
  metrics?: Metrics;
}

export const shipmentStream = (tenant: string, id: string) => streamName(tenant, 'shipment', id);

/** Without a location: the one location holding every line's reservation, else the default. */
function pickLocation(order: PlacedOrder, lines: ShipmentLine[]): string {
  const common = lines
    .map((s) => Object.keys(order.lines.find((l) => l.sku === s.sku)?.reserved ?? {}))
    .reduce<string[] | null>((acc, locs) => (acc === null ? locs : acc.filter((x) => locs.includes(x))), null);
  return common && common.length === 1 ? common[0]! : DEFAULT_LOCATION;
}

/** Commits the inventory and creates the shipment stream for a shipment the order recorded. Idempotent. */
export async function completeShipment(
  deps: ShipmentDeps,
  ctx: CommandContext,
  orderId: string,
  shipmentId: string,
): Promise<void> {
  const { state, events } = await loadOrder(deps.store, ctx.tenant, orderId);
  if (state.status === 'none') return;
  const ref = state.shipments[shipmentId];
  const recorded = events.find(
    (e) => e.type === 'OrderShipmentRecorded' && (e.data as { shipmentId: string }).shipmentId === shipmentId,
  );
  if (!ref || !recorded) return;
  const details = (recorded.data as { details?: ShipmentDetails }).details ?? {
    carrier: 'unknown',
    trackingNumber: null,
    service: null,
  };
  const committed: ShipmentLine[] = [];
  try {
    for (const line of ref.lines) {
      await handleCommand({
        store: deps.store,
        stream: inventoryStream(ctx.tenant, line.sku, ref.location),
        decider: inventoryDecider,
        cache: inventoryStates(deps.store),
        ctx,
        command: (s) =>
          s.shipments.has(shipmentId)
            ? null
            : {
                type: 'CommitReservation' as const,
                data: {
                  sku: line.sku,
                  location: ref.location,
                  orderId,
                  shipmentId,
                  quantity: line.quantity,
                  now: ctx.now,
                },
              },
      });
      committed.push(line);
    }
  } catch (err) {
    // The inventory disagrees (its reservation shrank meanwhile): undo, so nothing half-shipped stays.
    if (err instanceof DomainError) await undoShipment(deps, ctx, orderId, shipmentId, ref.location, committed);
    throw err;
  }
  await handleCommand({
    store: deps.store,
    stream: shipmentStream(ctx.tenant, shipmentId),
    decider: shipmentDecider,
    ctx,
    command: (s) =>
      s.status !== 'none'
        ? null
        : {
            type: 'CreateShipment' as const,
            data: { shipmentId, orderId, lines: ref.lines, location: ref.location, ...details, now: ctx.now },
          },
  });
}

/** Puts a shipment's units back as reserved and tells the order it did not ship. Idempotent. */
async function undoShipment(
  deps: ShipmentDeps,
  ctx: CommandContext,
  orderId: string,
  shipmentId: string,
  location: string,
  lines: ShipmentLine[],
) {
  for (const line of lines) {
    await handleCommand({
      store: deps.store,
      stream: inventoryStream(ctx.tenant, line.sku, location),
      decider: inventoryDecider,
      cache: inventoryStates(deps.store),
      ctx,
      command: (s) => {
        const c = s.shipments.get(shipmentId);
        return c && c.quantity > c.returned
          ? {
              type: 'ReturnShippedToReservation' as const,
              data: { sku: line.sku, location, orderId, shipmentId, quantity: c.quantity - c.returned, now: ctx.now },
            }
          : null;
      },
    });
  }
  await handleCommand({
    store: deps.store,
    stream: orderStream(ctx.tenant, orderId),
    decider: orderDecider,
    ctx,
    command: (o) =>
      o.status !== 'none' && o.shipments[shipmentId] && o.shipments[shipmentId].status !== 'cancelled'
        ? { type: 'RecordShipmentCancelled' as const, data: { shipmentId, now: ctx.now } }
        : null,
  });
}

export async function createShipment(
  deps: ShipmentDeps,
  ctx: CommandContext,
  input: {
    orderId: string;
    lines: ShipmentLine[];
    location?: string;
    carrier: string;
    trackingNumber: string | null;
    service: string | null;
  },
): Promise<{ shipment: ShipmentView; position: Position | null }> {
  const { state } = await loadOrder(deps.store, ctx.tenant, input.orderId);
  if (state.status === 'none') throw orderNotFound(input.orderId);
  const shipmentId = newResourceId(ctx, 'shp');
  const location = input.location !== undefined ? locationCode(input.location) : pickLocation(state, input.lines);
  await handleCommand({
    store: deps.store,
    metrics: deps.metrics,
    stream: orderStream(ctx.tenant, input.orderId),
    decider: orderDecider,
    ctx,
    command: {
      type: 'RecordShipment',
      data: {
        shipmentId,
        location,
        lines: input.lines,
        details: { carrier: input.carrier, trackingNumber: input.trackingNumber, service: input.service },
        now: ctx.now,
      },
    },
  });
  await completeShipment(deps, ctx, input.orderId, shipmentId);
  const { state: s, events } = await loadAggregate(deps.store, shipmentStream(ctx.tenant, shipmentId), shipmentDecider);
  if (s.status === 'none') throw new Error(`shipment ${shipmentId} was not created`);
  return { shipment: shipmentView(s, events.length), position: events[events.length - 1]!.position };
}

export async function recordTrackingEvent(
  deps: ShipmentDeps,
  ctx: CommandContext,
  input: TrackingEventBody & { shipmentId: string; expectedVersion?: number | '*' },
): Promise<{ shipment: ShipmentView; position: Position | null }> {
  const res = await handleCommand({
    store: deps.store,
    metrics: deps.metrics,
    stream: shipmentStream(ctx.tenant, input.shipmentId),
    decider: shipmentDecider,
    ctx,
    ...(input.expectedVersion !== undefined ? { expectedVersion: input.expectedVersion } : {}),
    command: (s) => {
      if (s.status === 'none') throw shipmentNotFound(input.shipmentId);
      return {
        type: 'RecordTrackingEvent' as const,
        data: {
          status: input.status,
          occurredAt: input.occurredAt ? new Date(input.occurredAt).toISOString() : ctx.now,
          location: input.location ?? null,
          description: input.description ?? null,
          carrierCode: input.carrierCode ?? null,
          now: ctx.now,
        },
      };
    },
  });
  // The order and the stock follow a cancel or a delivery before the answer, so the client can act on
  // it at once (ship the units again); the follow-up job does the same, idempotently, after a crash.
  if (res.appended.some((e) => e.type === 'ShipmentStatusChanged' && FOLLOWED.includes(e.data.status)))
    await followShipmentStatus(deps, ctx, input.shipmentId);
  return { shipment: shipmentView(res.state as ActiveShipment, res.version), position: res.position };
}

/** The statuses the order and the stock follow. */
const FOLLOWED: readonly string[] = ['cancelled', 'delivered'];

/** What a status change means for the order and the stock. Idempotent; run by the follow-up job. */
export async function followShipmentStatus(deps: ShipmentDeps, ctx: CommandContext, shipmentId: string): Promise<void> {
  const { state: s } = await loadAggregate(deps.store, shipmentStream(ctx.tenant, shipmentId), shipmentDecider);
  if (s.status === 'none') return;
  if (s.status === 'cancelled') await undoShipment(deps, ctx, s.orderId, shipmentId, s.location, s.lines);
  if (s.status === 'delivered') {
    await handleCommand({
      store: deps.store,
      stream: orderStream(ctx.tenant, s.orderId),
      decider: orderDecider,
      ctx,
      command: (o) =>
        o.status !== 'none' && o.shipments[shipmentId]?.status === 'active'
          ? { type: 'RecordShipmentDelivered' as const, data: { shipmentId, now: ctx.now } }
          : null,
    });
  }
}
