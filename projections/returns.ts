import type { Knex } from 'knex';
import { returnDecider } from '../domain/returns/decider.ts';
import { RETURN_EVENT_TYPES, type ReturnEvent } from '../domain/returns/events.ts';
import type { ReturnState } from '../domain/returns/state.ts';
import type { RecordedEvent } from '../src/eventstore/port.ts';
import type { Projection } from '../src/projector/projection.ts';
import { foldedStateProjection } from './folded-state.ts';

/** returns: the folded return plus the columns lists filter and sort on. */
export const returnsProjection = foldedStateProjection<ReturnState, ReturnEvent>({
  name: 'returns',
  table: 'returns',
  handles: RETURN_EVENT_TYPES,
  decider: returnDecider,
  columns: (s) =>
    s.status === 'none'
      ? null
      : { order_id: s.orderId, status: s.status, created_at: s.requestedAt, updated_at: s.updatedAt },
});

/** analytics.returns: one row per return, its milestones and units, for BI tools. */
export const returnsAnalyticsProjection: Projection = {
  name: 'returns-analytics',
  schema: 'analytics',
  handles: RETURN_EVENT_TYPES,
  tables: ['returns'],
  async apply(trx: Knex.Transaction, events: readonly RecordedEvent[]) {
    for (const e of events) {
      const ev = { type: e.type, data: e.data } as ReturnEvent;
      const key = { tenant: e.metadata.tenant, return_id: ev.data.returnId };
      switch (ev.type) {
        case 'ReturnRequested':
          await trx('returns')
            .insert({
              ...key,
              order_id: ev.data.orderId,
              status: 'requested',
              units_requested: ev.data.lines.reduce((n, l) => n + l.quantity, 0),
              requested_at: ev.data.requestedAt,
            })
            .onConflict(['tenant', 'return_id'])
            .ignore();
          break;
        case 'ReturnApproved':
          await trx('returns').where(key).update({ status: 'approved', approved_at: ev.data.approvedAt });
          break;
        case 'ReturnRejected':
          await trx('returns').where(key).update({ status: 'rejected', rejected_at: ev.data.rejectedAt });
          break;
        case 'ReturnReceived': {
          const units = (c: string) =>
            ev.data.lines.filter((l) => l.condition === c).reduce((n, l) => n + l.quantity, 0);
          await trx('returns')
            .where(key)
            .update({
              status: ev.data.status,
              received_at: ev.data.receivedAt,
              units_resellable: trx.raw('units_resellable + ?', [units('resellable')]),
              units_damaged: trx.raw('units_damaged + ?', [units('damaged')]),
            });
          break;
        }
        case 'ReturnRefundRecorded':
          await trx('returns')
            .where(key)
            .update({ refunded: trx.raw('refunded + ?::numeric', [String(ev.data.amount)]) });
          break;
      }
    }
  },
};
