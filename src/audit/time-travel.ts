import type { Decider, DomainEvent } from '../../domain/shared/decider.ts';
import type { EventStore, RecordedEvent } from '../eventstore/port.ts';
import { foldRecorded } from '../commands/load.ts';
import { invalidQuery, NotFoundError } from '../queries/errors.ts';
import type { AsOf } from './schemas.ts';

/** The events of a stream up to a point in time or a version (time travel folds these). */
function eventsUpTo(events: readonly RecordedEvent[], at: AsOf): RecordedEvent[] {
  if (at.asOf !== undefined && at.version !== undefined) {
    throw invalidQuery('query:/asOf', 'use either asOf or version, not both', 'the request does not match the schema');
  }
  if (at.version !== undefined) return events.slice(0, at.version);
  if (at.asOf !== undefined) {
    const t = Date.parse(at.asOf);
    return events.filter((e) => e.createdAt.getTime() <= t);
  }
  return [...events];
}

/** True when the request asks for the entity as it was (?asOf or ?version). */
export const wantsPast = (at: AsOf): boolean => at.asOf !== undefined || at.version !== undefined;

/**
 * An entity as it was: its stream folded up to ?asOf / ?version. 404 when it did not exist yet
 * at that point, or the version is past its latest; `version` is the number of events folded.
 */
export async function foldAsOf<E extends DomainEvent, S, Existing extends S>(
  store: EventStore,
  stream: string,
  at: AsOf,
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
  existed: (state: S) => state is Existing,
  what: { noun: string; text: string },
): Promise<{ state: Existing; version: number }> {
  const all = await store.readStream(stream);
  // A version the entity has not reached yet does not exist (like a time before it existed).
  if (at.version !== undefined && at.version > all.length)
    throw new NotFoundError(what.noun, `${what.text} version ${at.version}`);
  const events = eventsUpTo(all, at);
  const state = foldRecorded(decider, events);
  if (!existed(state)) throw new NotFoundError(what.noun, `${what.text} at that point`);
  return { state, version: events.length };
}
