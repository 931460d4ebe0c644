import type { Address } from '../shared/address.ts';
import type { CustomerPii } from './events.ts';

// What personal data reads back as once its key is destroyed. Fixed shapes, so that every reader
// (a live projection, a rebuild, the API, the feed) arrives at the same values.

export const REDACTED = '[redacted]';

export const redactedAddress = (): Address => ({ line1: REDACTED, city: REDACTED, country: REDACTED });

/** A whole customer's personal data, redacted. */
export const redactedPii = (): CustomerPii => ({ email: REDACTED, name: REDACTED, phone: null, addresses: [] });
