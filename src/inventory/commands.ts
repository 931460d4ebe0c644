import { inventoryDecider } from '../../domain/inventory/decider.ts';
import type { AdjustmentReason } from '../../domain/inventory/events.ts';
import { levelOf } from '../../domain/inventory/level.ts';
import type { CommandContext } from '../commands/context.ts';
import { handleCommand } from '../commands/handle.ts';
import type { EventStore, Position } from '../eventstore/port.ts';
import type { Metrics } from '../observability/metrics.ts';
import { inventoryStates, inventoryStream, locationCode } from './streams.ts';

export interface LocationLevelView {
  sku: string;
  location: string;
  onHand: number;
  reserved: number;
  available: number;
  version: number;
}

export interface InventoryCommandDeps {
  store: EventStore;
  metrics?: Metrics;
}

export async function adjustStock(
  deps: InventoryCommandDeps,
  ctx: CommandContext,
  given: { sku: string; location: string; delta: number; reason: AdjustmentReason; reference: string | null },
): Promise<{ level: LocationLevelView; position: Position | null }> {
  const input = { ...given, location: locationCode(given.location) };
  const res = await handleCommand({
    store: deps.store,
    metrics: deps.metrics,
    stream: inventoryStream(ctx.tenant, input.sku, input.location),
    decider: inventoryDecider,
    cache: inventoryStates(deps.store),
    ctx,
    command: { type: 'AdjustStock', data: { ...input, now: ctx.now } },
  });
  return {
    level: { sku: input.sku, location: input.location, ...levelOf(res.state), version: res.version },
    position: res.position,
  };
}

export async function countStock(
  deps: InventoryCommandDeps,
  ctx: CommandContext,
  given: { sku: string; location: string; onHand: number; expectedVersion?: number | '*' },
): Promise<{ level: LocationLevelView; position: Position | null }> {
  const input = { ...given, location: locationCode(given.location) };
  const res = await handleCommand({
    store: deps.store,
    metrics: deps.metrics,
    stream: inventoryStream(ctx.tenant, input.sku, input.location),
    decider: inventoryDecider,
    cache: inventoryStates(deps.store),
    ctx,
    ...(input.expectedVersion !== undefined ? { expectedVersion: input.expectedVersion } : {}),
    command: {
      type: 'CountStock',
      data: { sku: input.sku, location: input.location, onHand: input.onHand, reason: 'cycle_count', now: ctx.now },
    },
  });
  return {
    level: { sku: input.sku, location: input.location, ...levelOf(res.state), version: res.version },
    position: res.position,
  };
}
