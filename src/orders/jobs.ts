import { idOfStream } from '../eventstore/port.ts';
import type { InventoryEvent } from '../../domain/inventory/events.ts';
import type { OrderEvent } from '../../domain/orders/events.ts';
import { readModelLocations } from '../inventory/locations.ts';
import { allocateOrder, drainBackorders, type AllocationDeps } from './allocation.ts';
import type { JobContext, JobEvent, JobHandler } from '../jobs/handler.ts';
import { jobCommandContext } from '../jobs/job-context.ts';

const deps = (ctx: JobContext): AllocationDeps => ({ store: ctx.store, locations: readModelLocations(ctx.knex) });

/** A new order, changed lines, or a cancel: (re)allocate it. A cancelled order gets its units released. */
export const allocateOrderJob: JobHandler = {
  name: 'allocate-order',
  handles: ['OrderPlaced', 'OrderUpdated', 'OrderCancelled', 'ReservationReleased'],
  attempts: 12,
  backoffMs: 200,
  async handle(event: JobEvent, ctx: JobContext) {
    let orderId: string;
    if (event.type === 'ReservationReleased') {
      // Only a shortfall takes units from an order behind its back; other releases were asked for.
      const e = event as unknown as Extract<InventoryEvent, { type: 'ReservationReleased' }>;
      if (e.data.reason !== 'stock_shortfall') return;
      orderId = e.data.orderId;
    } else {
      if (
        event.type === 'OrderUpdated' &&
        !(event as unknown as Extract<OrderEvent, { type: 'OrderUpdated' }>).data.changes.lines
      )
        return;
      orderId = idOfStream(event.streamName);
    }
    await allocateOrder(deps(ctx), jobCommandContext(event, this.name), orderId);
  },
};

/** Stock became available at a SKU (restock, count up, a release, a queue leaving): serve the wait list, oldest first. */
export const drainBackordersJob: JobHandler = {
  name: 'drain-backorders',
  handles: ['StockAdjusted', 'StockCounted', 'ReservationReleased', 'BackorderDequeued'],
  attempts: 12,
  backoffMs: 200,
  async handle(event: JobEvent, ctx: JobContext) {
    const e = event as unknown as InventoryEvent;
    if ((e.type === 'StockAdjusted' || e.type === 'StockCounted') && e.data.delta <= 0) return;
    if (e.type === 'ReservationReleased' && e.data.reason === 'stock_shortfall') return;
    if (e.type === 'BackorderDequeued' && e.data.reason === 'reserved') return;
    await drainBackorders(deps(ctx), jobCommandContext(event, this.name), e.data.sku, e.data.location);
  },
};
