import type { DefineLocation } from '../../domain/locations/commands.ts';
import { locationDecider } from '../../domain/locations/decider.ts';
import type { DefinedLocation } from '../../domain/locations/state.ts';
import type { CommandContext } from '../commands/context.ts';
import { handleCommand } from '../commands/handle.ts';
import type { EventStore, Position } from '../eventstore/port.ts';
import type { Metrics } from '../observability/metrics.ts';
import { locationStream } from './streams.ts';
import { locationView, type LocationView } from './view.ts';

interface LocationCommandDeps {
  store: EventStore;
  metrics?: Metrics;
}

/** PUT: defines the location or changes it to these settings. `created`: it did not exist before. */
export async function defineLocation(
  deps: LocationCommandDeps,
  ctx: CommandContext,
  input: Omit<DefineLocation['data'], 'now'> & { expectedVersion?: number | '*' },
): Promise<{ location: LocationView; created: boolean; position: Position | null }> {
  const { expectedVersion, ...data } = input;
  const res = await handleCommand({
    store: deps.store,
    metrics: deps.metrics,
    stream: locationStream(ctx.tenant, data.code),
    decider: locationDecider,
    ctx,
    ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    command: { type: 'DefineLocation', data: { ...data, now: ctx.now } },
  });
  return {
    location: locationView(res.state as DefinedLocation, res.version),
    created: res.appended.some((e) => e.type === 'LocationDefined'),
    position: res.position,
  };
}
