import type { Decider, DomainEvent } from '../../domain/shared/decider.ts';
import { foldRecorded } from '../audit/history.ts';
import type { EventStore, RecordedEvent } from '../eventstore/port.ts';

/** A stream folded into its aggregate's state, with its version (event count) and events. */
export async function loadAggregate<E extends DomainEvent, S>(
  store: EventStore,
  stream: string,
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
): Promise<{ state: S; version: number; events: RecordedEvent[] }> {
  const events = await store.readStream(stream);
  return { state: foldRecorded(decider, events), version: events.length, events };
}
