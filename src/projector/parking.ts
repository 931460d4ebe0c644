// Poison events: what the projector records when one event cannot be applied, and how operators
// apply it again. Tables: parked_events, stale_entities, projection_failures (see the migration).
import type { Knex } from 'knex';
import type pg from 'pg';
import { isRetryable } from '../db/unreachable.ts';
import type { EventStore, RecordedEvent } from '../eventstore/port.ts';
import type { Projection } from './projection.ts';
import { enterReadModelTransaction } from './read-model-transaction.ts';

const MAX_ERROR_CHARS = 1000;

/**
 * The error's own text only: no stack, no driver detail (which may quote row values), and for a
 * database error not the statement knex prefixes to it ("<sql> - <message>").
 */
export function errorText(err: unknown): string {
  let message = err instanceof Error ? err.message : String(err);
  const severity = (err as { severity?: unknown } | null)?.severity;
  const cut = message.lastIndexOf(' - ');
  if (typeof severity === 'string' && cut >= 0) message = message.slice(cut + 3);
  return message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS)}…` : message;
}

/**
 * A failure of the infrastructure rather than of the event (the database or Redis unreachable,
 * a serialization conflict, the server shutting down, another process holding the checkpoint):
 * retried for ever, never counted toward parking, so an outage cannot park every event of the log.
 */
export function isTransient(err: unknown): boolean {
  return isRetryable(err) || (err as { name?: unknown } | null)?.name === 'CheckpointConflictError';
}

export interface Failure {
  error: string;
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
}

/** Why an event that did not fail is parked: it must not overtake an earlier parked event of its stream. */
export const HELD_BACK = 'held back: an earlier event of this stream is parked';

/** Parks `event` for `projection` and marks its entity stale, inside the caller's transaction. */
export async function parkEvent(
  trx: Knex.Transaction,
  projection: string,
  event: RecordedEvent,
  failure: Failure,
): Promise<void> {
  await trx('parked_events')
    .insert({
      projection,
      event_id: event.id,
      position_commit: event.position.commit.toString(),
      position_prepare: event.position.prepare.toString(),
      stream_name: event.streamName,
      revision: event.revision,
      tenant: event.metadata.tenant,
      event_type: event.type,
      error: failure.error,
      attempts: failure.attempts,
      first_failed_at: failure.firstFailedAt,
      last_failed_at: failure.lastFailedAt,
    })
    .onConflict(['projection', 'event_id'])
    .merge(['error', 'attempts', 'last_failed_at']);
  await trx('stale_entities')
    .insert({ projection, tenant: event.metadata.tenant, stream_name: event.streamName, parked_event_id: event.id })
    .onConflict(['projection', 'stream_name', 'parked_event_id'])
    .ignore();
}

export interface ParkedEvent {
  projection: string;
  eventId: string;
  position: string;
  streamName: string;
  revision: number;
  tenant: string;
  type: string;
  error: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
}

interface ParkedRow {
  projection: string;
  event_id: string;
  position_commit: string;
  position_prepare: string;
  stream_name: string;
  revision: string;
  tenant: string;
  event_type: string;
  error: string;
  attempts: number;
  first_failed_at: Date;
  last_failed_at: Date;
}

/** Parked events in log order per projection (all projections, or one). */
export async function listParked(knex: Knex, projection?: string): Promise<ParkedEvent[]> {
  const q = knex<ParkedRow>('parked_events').orderBy(['projection', 'position_commit', 'position_prepare']);
  if (projection) q.where({ projection });
  const rows = (await q) as ParkedRow[];
  return rows.map((r) => ({
    projection: r.projection,
    eventId: r.event_id,
    position: `${r.position_commit}/${r.position_prepare}`,
    streamName: r.stream_name,
    revision: Number(r.revision),
    tenant: r.tenant,
    type: r.event_type,
    error: r.error,
    attempts: r.attempts,
    firstFailedAt: r.first_failed_at.toISOString(),
    lastFailedAt: r.last_failed_at.toISOString(),
  }));
}

export interface RetryResult {
  projection: string;
  eventId: string;
  /** held: not tried, because an earlier parked event of its stream still fails. */
  outcome: 'applied' | 'failed' | 'missing' | 'held';
  error?: string;
}

/**
 * Applies a projection's parked events again, in log order, each in its own transaction. One that
 * applies now loses its parked row and its stale marks; one that still fails keeps them (its
 * attempts, error and last failure updated), and the later parked events of its stream stay parked
 * (`held`), so a stream's events are never applied out of order. The checkpoint is not touched: the
 * live projector moved past these events when it parked them. While this runs, the live projector
 * may still hold back a new event of a stream being repaired; the passes repeat until one finds
 * nothing more to apply.
 */
export async function retryParked(knex: Knex, store: EventStore, projection: Projection): Promise<RetryResult[]> {
  const final = new Map<string, RetryResult>();
  for (;;) {
    const pass = await retryPass(knex, store, projection);
    for (const r of pass) final.set(r.eventId, r);
    if (!pass.some((r) => r.outcome === 'applied')) break;
  }
  return [...final.values()];
}

async function retryPass(knex: Knex, store: EventStore, projection: Projection): Promise<RetryResult[]> {
  const results: RetryResult[] = [];
  const blocked = new Set<string>();
  for (const p of await listParked(knex, projection.name)) {
    if (blocked.has(p.streamName)) {
      results.push({ projection: p.projection, eventId: p.eventId, outcome: 'held', error: HELD_BACK });
      continue;
    }
    const result = await applyParked(knex, store, projection, p);
    if (result.outcome === 'failed') blocked.add(p.streamName);
    results.push(result);
  }
  return results;
}

/**
 * Applies one parked event again in its own transaction: unparked when it applies, its error,
 * attempts and last failure updated when it fails again. The caller has checked that no earlier
 * parked event of its stream is waiting.
 */
async function applyParked(
  knex: Knex,
  store: EventStore,
  projection: Projection,
  p: Pick<ParkedEvent, 'projection' | 'eventId' | 'streamName' | 'revision'>,
): Promise<RetryResult> {
  const [event] = await store.readStream(p.streamName, { fromRevision: p.revision, maxCount: 1 });
  if (!event || event.id !== p.eventId) return { projection: p.projection, eventId: p.eventId, outcome: 'missing' };
  try {
    await knex.transaction(async (trx) => {
      await enterReadModelTransaction(trx, projection.schema);
      await projection.apply(trx, [event]);
      await trx('parked_events').where({ projection: projection.name, event_id: event.id }).delete();
      await trx('stale_entities').where({ projection: projection.name, parked_event_id: event.id }).delete();
    });
    return { projection: p.projection, eventId: p.eventId, outcome: 'applied' };
  } catch (err) {
    const error = errorText(err);
    await knex('parked_events')
      .where({ projection: projection.name, event_id: event.id })
      .update({ error, attempts: knex.raw('attempts + 1'), last_failed_at: knex.fn.now() });
    return { projection: p.projection, eventId: p.eventId, outcome: 'failed', error };
  }
}

/**
 * Applies one parked event of `projection` again (the console's retry): as retryParked does for
 * each of them, except that an earlier parked event of the same stream must be applied first, so
 * this one is then `held` and not tried. Only the event's own row: the later events of its stream
 * that the projector held back behind it stay parked until they are retried in turn. null when
 * `projection` has no such parked event (of `tenant`, when given).
 */
export async function retryParkedEvent(
  knex: Knex,
  store: EventStore,
  projection: Projection,
  eventId: string,
  tenant?: string,
): Promise<(RetryResult & { blockedBy?: string }) | null> {
  const q = knex<ParkedRow>('parked_events').where({ projection: projection.name, event_id: eventId });
  if (tenant !== undefined) q.andWhere({ tenant });
  const row = (await q.first()) as ParkedRow | undefined;
  if (!row) return null;
  const earlier = (await knex('parked_events')
    .select('event_id')
    .where({ projection: projection.name, stream_name: row.stream_name })
    .andWhere(
      knex.raw('(position_commit, position_prepare) < (?::numeric, ?::numeric)', [
        row.position_commit,
        row.position_prepare,
      ]),
    )
    .orderBy(['position_commit', 'position_prepare'])
    .first()) as { event_id: string } | undefined;
  if (earlier)
    return { projection: projection.name, eventId, outcome: 'held', error: HELD_BACK, blockedBy: earlier.event_id };
  return applyParked(knex, store, projection, {
    projection: row.projection,
    eventId: row.event_id,
    streamName: row.stream_name,
    revision: Number(row.revision),
  });
}

/** Marks a projection as failing (keeps the first failure time while the streak lasts). */
export async function recordFailing(knex: Knex, projection: string, since: Date, failures: number, error: string) {
  await knex('projection_failures')
    .insert({ projection, failing_since: since, failures, last_error: error })
    .onConflict('projection')
    .merge({ failures, last_error: error, updated_at: knex.fn.now() });
}

export async function clearFailing(knex: Knex, projection: string): Promise<void> {
  await knex('projection_failures').where({ projection }).delete();
}

export interface ProjectionHealth {
  /** Failing for longer than the threshold. */
  stuck: { projection: string; failingSince: string; failures: number }[];
  /** Moving, but with parked events. */
  parked: { projection: string; parked: number }[];
}

/** What /readyz reports about the projections (any process's: it reads the tables). */
export async function projectionHealth(pool: pg.Pool, stuckAfterMs: number): Promise<ProjectionHealth> {
  const stuck = await pool.query<{ projection: string; failing_since: Date; failures: number }>(
    `select projection, failing_since, failures from projection_failures
      where failing_since < now() - make_interval(secs => $1::double precision / 1000) order by projection`,
    [stuckAfterMs],
  );
  const parked = await pool.query<{ projection: string; parked: number }>(
    'select projection, count(*)::int as parked from parked_events group by projection order by projection',
  );
  return {
    stuck: stuck.rows.map((r) => ({
      projection: r.projection,
      failingSince: r.failing_since.toISOString(),
      failures: r.failures,
    })),
    parked: parked.rows,
  };
}
