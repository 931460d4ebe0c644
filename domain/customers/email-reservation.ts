import type { Decider } from '../shared/decider.ts';
import { customerEmailTaken } from './errors.ts';

// Email uniqueness per tenant is a stream of its own, keyed by a hash of the normalised email:
// reserving appends with the stream's expected revision, so of two concurrent claims exactly one
// wins (a read-model check could not promise that). A reservation whose holder never came to
// exist (a crash between the two appends) can be reclaimed after a grace period.

export const RESERVATION_GRACE_MS = 30_000;

export type EmailReservationEvent =
  | { type: 'EmailReserved'; data: { customerId: string; reservedAt: string } }
  | { type: 'EmailReleased'; data: { customerId: string; releasedAt: string } };

export type EmailReservationCommand =
  | {
      type: 'ReserveEmail';
      data: {
        customerId: string;
        email: string;
        now: string;
        /** Does the current holder exist and still use this email? null when the holder does not exist. */
        holderStillOwns: boolean | null;
      };
    }
  | { type: 'ReleaseEmail'; data: { customerId: string; now: string } };

export interface EmailReservationState {
  holder: string | null;
  reservedAt: string | null;
}

export const emailReservationDecider: Decider<EmailReservationCommand, EmailReservationEvent, EmailReservationState> = {
  initialState: () => ({ holder: null, reservedAt: null }),

  decide(command, state) {
    switch (command.type) {
      case 'ReserveEmail': {
        const { customerId, email, now, holderStillOwns } = command.data;
        if (state.holder === customerId) return [];
        if (state.holder !== null) {
          if (holderStillOwns === true) throw customerEmailTaken(email);
          const age = Date.parse(now) - Date.parse(state.reservedAt ?? now);
          if (holderStillOwns === null && age < RESERVATION_GRACE_MS) throw customerEmailTaken(email);
        }
        return [{ type: 'EmailReserved', data: { customerId, reservedAt: now } }];
      }
      case 'ReleaseEmail':
        if (state.holder !== command.data.customerId) return [];
        return [{ type: 'EmailReleased', data: { customerId: command.data.customerId, releasedAt: command.data.now } }];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'EmailReserved':
        return { holder: event.data.customerId, reservedAt: event.data.reservedAt };
      case 'EmailReleased':
        return state.holder === event.data.customerId ? { holder: null, reservedAt: null } : state;
    }
  },
};
