import { SOURCE_EVENT_TYPES } from './catalogue.ts';
import { attemptDelivery, DELIVERY_JOB, fanOut } from './deliveries.ts';
import type { JobHandler } from '../jobs/handler.ts';

/** Turns events into deliveries for every subscribed endpoint of the tenant. */
export const webhookFanOutJob: JobHandler = {
  name: 'webhooks-fanout',
  handles: SOURCE_EVENT_TYPES,
  attempts: 12,
  backoffMs: 500,
  async handle(event, ctx) {
    await fanOut(ctx.knex, ctx.queue, ctx.config, event);
  },
  // Most tenants have no endpoints: no job per event for them. An endpoint created before an
  // event is committed is visible here, since the dispatcher reads only committed events.
  async wants(trx, events) {
    const tenants = [...new Set(events.map((e) => e.metadata.tenant))];
    const rows = (await trx('webhook_endpoints')
      .distinct('tenant')
      .whereIn('tenant', tenants)
      .whereNull('deleted_at')) as { tenant: string }[];
    const withEndpoints = new Set(rows.map((r) => r.tenant));
    return (e) => withEndpoints.has(e.metadata.tenant);
  },
};

/** One HTTP attempt per run; BullMQ retries with exponential backoff (OMS_WEBHOOK_BACKOFF_MS, OMS_WEBHOOK_ATTEMPTS). */
export const webhookDeliveryJob: JobHandler = {
  name: DELIVERY_JOB,
  handles: [], // enqueued by the fan-out, not by the dispatcher
  async handle(data, ctx) {
    const { deliveryId } = data as unknown as { deliveryId: string };
    await attemptDelivery(
      ctx.knex,
      ctx.config,
      ctx.logger,
      deliveryId,
      ctx.attempt,
      ctx.attempt >= ctx.config.webhookAttempts,
    );
  },
};
