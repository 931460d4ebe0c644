import type { Queue } from 'bullmq';
import type { Knex } from 'knex';
import type { Config } from '../config/config.ts';
import { newId } from '../ids.ts';
import { withDeadline } from '../infra/deadline.ts';
import type { JobEvent } from '../jobs/handler.ts';
import type { Logger } from '../observability/logger.ts';
import { CURSOR_AT, decodeCursor, page } from '../queries/pagination.ts';
import { publicEventsFor } from './catalogue.ts';
import { ENDPOINT_DELETED, subscribers, type EndpointRow } from './endpoints.ts';
import type { WebhookListQuery } from './schemas.ts';
import { endpointSecret } from './secrets.ts';
import { signatureHeaders } from './signature.ts';
import { AddressRefusedError } from './guarded-agent.ts';
import { type Resolve, systemResolve } from './resolve.ts';
import { postWebhook } from './transport.ts';
import { checkWebhookUrl } from './url-guard.ts';

export const DELIVERY_JOB = 'webhook-delivery';

export function deliveryJobOptions(config: Config, jobId: string) {
  return {
    jobId,
    attempts: config.webhookAttempts,
    backoff: { type: 'exponential', delay: config.webhookBackoffMs },
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: false,
  };
}

/**
 * One delivery per (endpoint, event, public type). The row is created once (a re-run of the
 * fan-out finds it) and its id is the job id, so a delivery is queued once and keeps its id
 * across every retry: receivers dedupe on it.
 */
export async function fanOut(knex: Knex, queue: Queue, config: Config, event: JobEvent): Promise<number> {
  let queued = 0;
  for (const pub of publicEventsFor(event, config.inventoryLowThreshold)) {
    for (const endpoint of await subscribers(knex, event.metadata.tenant, pub.type)) {
      const id = newId('dlv');
      const payload = { id, type: pub.type, createdAt: event.createdAt, data: pub.data };
      await knex('webhook_deliveries')
        .insert({
          id,
          tenant: endpoint.tenant,
          endpoint_id: endpoint.id,
          event_id: event.id,
          event_type: pub.type,
          payload: JSON.stringify(payload),
        })
        .onConflict(['endpoint_id', 'event_id', 'event_type'])
        .ignore();
      const row = (await knex('webhook_deliveries')
        .select('id', 'status')
        .where({ endpoint_id: endpoint.id, event_id: event.id, event_type: pub.type })
        .first()) as { id: string; status: string };
      if (row.status !== 'pending') continue;
      await queue.add(DELIVERY_JOB, { deliveryId: row.id }, deliveryJobOptions(config, row.id));
      queued++;
    }
  }
  return queued;
}

class DeliveryFailed extends Error {}

/** A name that does not resolve (now): a network error like any other, retried. */
const isUnresolvable = (err: unknown) =>
  ['ENOTFOUND', 'EAI_AGAIN', 'ENODATA'].includes((err as { code?: string }).code ?? '');

/** One attempt of a delivery. Throws to have BullMQ retry with backoff; marks failed on the last attempt. */
export async function attemptDelivery(
  knex: Knex,
  config: Config,
  logger: Logger,
  deliveryId: string,
  attempt: number,
  lastAttempt: boolean,
  resolve: Resolve = systemResolve,
): Promise<void> {
  const delivery = (await knex('webhook_deliveries').where({ id: deliveryId }).first()) as
    | { id: string; endpoint_id: string; payload: unknown; status: string; attempts: number }
    | undefined;
  if (!delivery || delivery.status === 'succeeded') return;
  const endpoint = (await knex('webhook_endpoints').where({ id: delivery.endpoint_id }).first()) as
    | EndpointRow
    | undefined;
  const record = async (
    statusCode: number | null,
    latencyMs: number,
    rawError: string | null,
    final: 'succeeded' | 'failed' | null,
  ) => {
    const n = delivery.attempts + 1;
    const error = rawError === null ? null : rawError.slice(0, 500); // whatever went wrong, the log stays small
    await knex.transaction(async (trx) => {
      await trx('webhook_attempts')
        .insert({ delivery_id: deliveryId, attempt: n, status_code: statusCode, latency_ms: latencyMs, error })
        .onConflict(['delivery_id', 'attempt'])
        .ignore();
      await trx('webhook_deliveries')
        .where({ id: deliveryId })
        .update({
          attempts: n,
          last_status_code: statusCode,
          last_error: error,
          updated_at: trx.fn.now(),
          ...(final ? { status: final } : {}),
        });
    });
  };
  if (!endpoint || endpoint.deleted_at) {
    // Deleting the endpoint already ended its pending deliveries; a retry still queued stops here.
    if (delivery.status === 'pending') await record(null, 0, ENDPOINT_DELETED, 'failed');
    return;
  }
  // Checked again at send time: DNS may have changed since the endpoint was created. An address in
  // our network is a policy refusal (final); a host that does not resolve (now) is a failed attempt
  // like any network error, retried with backoff. The connection checks again what it connects to.
  const policy = { allowPrivateNetworks: config.webhooksAllowPrivateNetworks };
  const check = await checkWebhookUrl(endpoint.url, policy, resolve);
  if (!check.ok && check.refusal === 'not_allowed') {
    await record(null, 0, `url not allowed: ${check.reason}`, 'failed');
    return;
  }
  const body = JSON.stringify(delivery.payload);
  const secret = endpointSecret(config.masterKey, endpoint);
  const started = performance.now();
  let statusCode: number | null = null;
  let error: string | null = check.ok ? null : check.reason;
  if (!error) {
    try {
      const status = await postWebhook(
        endpoint.url,
        {
          'Content-Type': 'application/json',
          'User-Agent': 'nh-oms-webhooks/1',
          ...signatureHeaders(secret, deliveryId, body, Math.floor(Date.now() / 1000)),
        },
        body,
        { policy, resolve, timeoutMs: config.webhookTimeoutMs },
      );
      statusCode = status;
      if (status < 200 || status >= 300) error = `receiver answered ${status}`;
    } catch (err) {
      if (err instanceof AddressRefusedError) {
        // The name changed its answer between the check and the connection: nothing was sent.
        await record(null, 0, `url not allowed: ${err.message}`, 'failed');
        logger.warn({ deliveryId, error: err.message }, 'webhook delivery refused at connect time');
        return;
      }
      error =
        (err as Error).name === 'TimeoutError'
          ? `no answer within ${config.webhookTimeoutMs} ms`
          : isUnresolvable(err)
            ? `the host ${new URL(endpoint.url).hostname} does not resolve`
            : (err as Error).message;
    }
  }
  const latency = Math.round(performance.now() - started);
  if (!error) {
    await record(statusCode, latency, null, 'succeeded');
    return;
  }
  await record(statusCode, latency, error, lastAttempt ? 'failed' : null);
  logger.warn({ deliveryId, attempt, statusCode, error, lastAttempt }, 'webhook delivery failed');
  if (!lastAttempt) throw new DeliveryFailed(error);
}

/** The delivery log of an endpoint, newest first (creation time, then id), keyset-paged. */
export async function listDeliveries(knex: Knex, tenant: string, endpointId: string, q: WebhookListQuery) {
  const cursor = decodeCursor(q.cursor);
  const query = knex('webhook_deliveries')
    .select(
      'id',
      'event_id',
      'event_type',
      'status',
      'attempts',
      'last_status_code',
      'created_at',
      'updated_at',
      knex.raw(`${CURSOR_AT('created_at')} as cursor_at`),
    )
    .where({ tenant, endpoint_id: endpointId });
  if (cursor) query.andWhereRaw('(created_at, id) < (?::timestamptz, ?)', [cursor.createdAt, cursor.id]);
  const fetched = (await query
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(q.limit + 1)) as {
    id: string;
    event_id: string;
    event_type: string;
    status: string;
    attempts: number;
    last_status_code: number | null;
    created_at: Date;
    updated_at: Date;
    cursor_at: string;
  }[];
  const { data: rows, nextCursor } = page(fetched, q.limit, (r) => ({ createdAt: r.cursor_at, id: r.id }));
  const attempts = rows.length
    ? ((await knex('webhook_attempts')
        .whereIn(
          'delivery_id',
          rows.map((r) => r.id),
        )
        .orderBy('attempt')) as {
        delivery_id: string;
        attempt: number;
        status_code: number | null;
        latency_ms: number;
        error: string | null;
        at: Date;
      }[])
    : [];
  const data = rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    type: r.event_type,
    status: r.status,
    attempts: attempts
      .filter((a) => a.delivery_id === r.id)
      .map((a) => ({
        attempt: a.attempt,
        statusCode: a.status_code,
        latencyMs: a.latency_ms,
        error: a.error,
        at: a.at.toISOString(),
      })),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  }));
  return { data, nextCursor };
}

/** Sends a delivery again (same delivery id, so receivers can still dedupe). */
export async function redeliver(
  knex: Knex,
  queue: Queue,
  config: Config,
  tenant: string,
  endpointId: string,
  deliveryId: string,
): Promise<boolean> {
  const updated = await knex('webhook_deliveries')
    .where({ tenant, endpoint_id: endpointId, id: deliveryId })
    .update({ status: 'pending', updated_at: knex.fn.now() });
  if (updated !== 1) return false;
  // Called from an HTTP request: with Redis down, answer 503 quickly instead of hanging.
  await withDeadline(
    'redis',
    2000,
    queue.add(DELIVERY_JOB, { deliveryId }, deliveryJobOptions(config, `${deliveryId}__r${Date.now()}`)),
  );
  return true;
}
