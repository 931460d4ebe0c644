import { idOfStream } from '../eventstore/port.ts';
import type { OrderEvent } from '../../domain/orders/events.ts';
import type { ShipmentEvent } from '../../domain/shipments/events.ts';
import { completeShipment, followShipmentStatus } from './commands.ts';
import type { JobHandler } from '../jobs/handler.ts';
import { jobCommandContext } from '../jobs/job-context.ts';

/**
 * Finishes what a shipment request started (inventory commit, shipment stream) should the API
 * process have died half-way, and makes the order and the stock follow a shipment's status.
 */
export const shipmentFollowUpJob: JobHandler = {
  name: 'shipment-follow-up',
  handles: ['OrderShipmentRecorded', 'ShipmentStatusChanged'],
  attempts: 12,
  backoffMs: 200,
  async handle(event, ctx) {
    const cctx = jobCommandContext(event, this.name);
    const deps = { store: ctx.store };
    if (event.type === 'OrderShipmentRecorded') {
      const e = event as unknown as Extract<OrderEvent, { type: 'OrderShipmentRecorded' }>;
      await completeShipment(deps, cctx, idOfStream(event.streamName), e.data.shipmentId).catch((err) => {
        // A refusal was already undone by completeShipment; only faults are retried.
        if ((err as { name?: string }).name !== 'DomainError') throw err;
      });
      return;
    }
    const e = event as unknown as Extract<ShipmentEvent, { type: 'ShipmentStatusChanged' }>;
    if (e.data.status === 'cancelled' || e.data.status === 'delivered')
      await followShipmentStatus(deps, cctx, e.data.shipmentId);
  },
};
