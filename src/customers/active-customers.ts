import type { EventStore } from '../eventstore/port.ts';

/** How long a customer seen active is taken as still active without reading their stream again. */
export const ACTIVE_CUSTOMER_TTL_MS = 5000;

/**
 * Customers this process saw active (registered, not forgotten) in the last ACTIVE_CUSTOMER_TTL_MS:
 * create-order's existence check, which otherwise reads and decrypts the customer's stream for
 * every order. It holds ids only, no personal data. A customer forgotten through this process is
 * dropped at once (forgetCustomer); one forgotten through another process may still take orders
 * for up to the TTL, the same window the data-key cache has (src/pii/keys.ts): such an order's
 * personal data is sealed with the destroyed key, or refused if the key is not cached. One set per
 * event store, so several runtimes in one process (tests) never share it.
 */
export class ActiveCustomers {
  private readonly seen = new Map<string, number>();
  private readonly ttlMs: number;

  constructor(ttlMs = ACTIVE_CUSTOMER_TTL_MS) {
    this.ttlMs = ttlMs;
  }

  has(tenant: string, customerId: string, now = Date.now()): boolean {
    const until = this.seen.get(`${tenant}/${customerId}`);
    return until !== undefined && until > now;
  }

  remember(tenant: string, customerId: string, now = Date.now()): void {
    if (this.seen.size >= 50_000) {
      for (const [k, until] of this.seen) if (until <= now) this.seen.delete(k);
      if (this.seen.size >= 50_000) this.seen.clear();
    }
    this.seen.set(`${tenant}/${customerId}`, now + this.ttlMs);
  }

  forget(tenant: string, customerId: string): void {
    this.seen.delete(`${tenant}/${customerId}`);
  }
}

const byStore = new WeakMap<EventStore, ActiveCustomers>();

/** The active-customer set of the runtime that owns `store`. */
export function activeCustomers(store: EventStore): ActiveCustomers {
  let set = byStore.get(store);
  if (!set) {
    set = new ActiveCustomers();
    byStore.set(store, set);
  }
  return set;
}
