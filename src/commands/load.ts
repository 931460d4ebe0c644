import type { Decider, DomainEvent } from '../../domain/shared/decider.ts';
import type { EventStore, RecordedEvent } from '../eventstore/port.ts';

/** Folds a stream's events (as recorded) into state with the aggregate's evolve. */
export function foldRecorded<E extends DomainEvent, S>(
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
  events: readonly RecordedEvent[],
): S {
  return events.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as E), decider.initialState());
}

/** A stream folded into its aggregate's state, with its version (event count) and events. */
export async function loadAggregate<E extends DomainEvent, S>(
  store: EventStore,
  stream: string,
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
): Promise<{ state: S; version: number; events: RecordedEvent[] }> {
  const events = await store.readStream(stream);
  return { state: foldRecorded(decider, events), version: events.length, events };
}
