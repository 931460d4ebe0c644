import type { Decider, DomainEvent } from '../../domain/shared/decider.ts';
import type { EventStore, RecordedEvent } from '../eventstore/port.ts';
import { validationFailed } from '../http/problem.ts';

export interface AsOf {
  asOf?: string;
  version?: number;
}

/** The events of a stream up to a point in time or a version (time travel folds these). */
export function eventsUpTo(events: readonly RecordedEvent[], at: AsOf): RecordedEvent[] {
  if (at.asOf !== undefined && at.version !== undefined) {
    throw validationFailed([{ path: 'query:/asOf', message: 'use either asOf or version, not both' }]);
  }
  if (at.version !== undefined) return events.slice(0, at.version);
  if (at.asOf !== undefined) {
    const t = Date.parse(at.asOf);
    return events.filter((e) => e.createdAt.getTime() <= t);
  }
  return [...events];
}

/** Folds a stream's events (as recorded) into state with the aggregate's evolve. */
export function foldRecorded<E extends DomainEvent, S>(decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>, events: readonly RecordedEvent[]): S {
  return events.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as E), decider.initialState());
}

export async function readHistory(store: EventStore, stream: string): Promise<RecordedEvent[]> {
  return store.readStream(stream);
}
