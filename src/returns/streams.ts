import { returnDecider } from '../../domain/returns/decider.ts';
import { loadAggregate } from '../commands/load.ts';
import { type EventStore, streamName } from '../eventstore/port.ts';

export const returnStream = (tenant: string, id: string) => streamName(tenant, 'return', id);

export const loadReturn = (store: EventStore, tenant: string, id: string) =>
  loadAggregate(store, returnStream(tenant, id), returnDecider);
