import type { Knex } from 'knex';

// Idempotency records (see the Idempotency-Key middleware) hold whole response bodies, personal
// data included. They live as long as they are replayed and no longer, and a forgotten
// customer's go at once.

/** How long a stored response is replayed; older records are purged. */
export const IDEMPOTENCY_RETENTION_SQL = "interval '24 hours'";

/** The customer a response body is about: an order names its customer, a customer is one. */
export function customerNamedBy(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const { customerId, id } = body as { customerId?: unknown; id?: unknown };
  if (typeof customerId === 'string') return customerId;
  if (typeof id === 'string' && id.startsWith('cus_')) return id;
  return null;
}

/**
 * Deletes records past retention (and not held by a live request), `batchSize` rows per
 * statement so no statement holds many locks or runs long. Returns how many were deleted.
 */
export async function purgeExpiredIdempotencyRecords(
  knex: Knex,
  opts: { batchSize?: number; maxBatches?: number } = {},
): Promise<number> {
  const batchSize = opts.batchSize ?? 1000;
  const maxBatches = opts.maxBatches ?? Number.POSITIVE_INFINITY;
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const res: { rowCount: number } = await knex.raw(
      `delete from idempotency_keys k using (
         select tenant, key from idempotency_keys
          where created_at < now() - ${IDEMPOTENCY_RETENTION_SQL} and locked_until <= now()
          order by created_at limit ?
       ) doomed
       where k.tenant = doomed.tenant and k.key = doomed.key`,
      [batchSize],
    );
    total += res.rowCount;
    if (res.rowCount < batchSize) break;
  }
  return total;
}

/** Deletes the records whose responses named the customer (part of forgetting them). */
export async function forgetIdempotencyRecords(knex: Knex, tenant: string, customerId: string): Promise<number> {
  return knex('idempotency_keys').where({ tenant, customer_id: customerId }).delete();
}
