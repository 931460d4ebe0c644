import type { Decider } from './decider.ts';
import type { DomainError } from './errors.ts';
import { dateTime, type EventsOf, object, str } from './schema.ts';

// A value that must be unique per tenant (a customer's email, an order's externalId) is a stream
// of its own, named after a keyed hash of the value. Claiming appends with the stream's expected
// revision, so of two concurrent claims exactly one wins; a read-model check could not promise
// that. A claim whose owner never came to exist (a crash between the claim and the owner's own
// append) can be taken over after a grace period.

export const CLAIM_GRACE_MS = 30_000;

/** Each claim event's data, by type: the one definition of its shape. */
export const uniqueClaimEventSchemas = {
  UniqueValueClaimed: object({ ownerId: str, claimedAt: dateTime }),
  UniqueValueReleased: object({ ownerId: str, releasedAt: dateTime }),
} as const;

type UniqueClaimEvents = EventsOf<typeof uniqueClaimEventSchemas>;
export type UniqueClaimEvent = UniqueClaimEvents[keyof UniqueClaimEvents];

export type UniqueClaimCommand =
  | {
      type: 'ClaimUniqueValue';
      data: {
        ownerId: string;
        /** The value as the client sent it (for the error message only). */
        value: string;
        now: string;
        /** Does the current owner exist and still hold this value? null when it does not exist. */
        ownerStillHolds: boolean | null;
      };
    }
  | { type: 'ReleaseUniqueValue'; data: { ownerId: string; now: string } };

export interface UniqueClaimState {
  owner: string | null;
  claimedAt: string | null;
}

export function uniqueClaimDecider(
  taken: (value: string) => DomainError,
): Decider<UniqueClaimCommand, UniqueClaimEvent, UniqueClaimState> {
  return {
    initialState: () => ({ owner: null, claimedAt: null }),

    decide(command, state) {
      switch (command.type) {
        case 'ClaimUniqueValue': {
          const { ownerId, value, now, ownerStillHolds } = command.data;
          if (state.owner === ownerId) return [];
          if (state.owner !== null) {
            if (ownerStillHolds === true) throw taken(value);
            const age = Date.parse(now) - Date.parse(state.claimedAt ?? now);
            if (ownerStillHolds === null && age < CLAIM_GRACE_MS) throw taken(value);
          }
          return [{ type: 'UniqueValueClaimed', data: { ownerId, claimedAt: now } }];
        }
        case 'ReleaseUniqueValue':
          if (state.owner !== command.data.ownerId) return [];
          return [
            { type: 'UniqueValueReleased', data: { ownerId: command.data.ownerId, releasedAt: command.data.now } },
          ];
      }
    },

    evolve(state, event) {
      switch (event.type) {
        case 'UniqueValueClaimed':
          return { owner: event.data.ownerId, claimedAt: event.data.claimedAt };
        case 'UniqueValueReleased':
          return state.owner === event.data.ownerId ? { owner: null, claimedAt: null } : state;
      }
    },
  };
}
