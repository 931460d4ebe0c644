import type { EventStore } from '../eventstore/port.ts';
import { legacyDerivedUuid } from '../ids.ts';
import type { CommandContext } from './context.ts';

// Event ids derived from an Idempotency-Key used to carry a version 5 nibble; they are version 8
// now (see derivedUuid). Stored events keep their ids. What changes is the id a retry derives: a
// request whose first attempt was written by an earlier release but never answered (crash, lost
// connection, a 5xx) would not be recognised as a retry by its event ids and could be appended
// again. Such a key was first used before this process started, so only then do we look for the
// old form in the stream (a full read, on a rare path: answered keys are replayed before here).

/** The seed of the n-th event a command derives under an idempotency key (shared with handle.ts). */
export const eventIdSeed = (seed: string, stream: string, commandType: string, index: number) =>
  `${seed}\n${stream}\n${commandType}\n${index}`;

/** True when an earlier release already appended this command's events under their version 5 ids. */
export async function writtenUnderLegacyIds(
  store: EventStore,
  ctx: CommandContext,
  stream: string,
  commandType: string,
): Promise<boolean> {
  const idem = ctx.idempotency;
  if (!idem || idem.since >= performance.timeOrigin) return false;
  const first = legacyDerivedUuid(eventIdSeed(idem.seed, stream, commandType, 0));
  return (await store.readStream(stream)).some((e) => e.id === first);
}
