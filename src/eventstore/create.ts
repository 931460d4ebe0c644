import type pg from 'pg';
import { upcasters } from '../events/upcasters.ts';
import { EsdbEventStore } from './esdb/esdb-event-store.ts';
import type { EventStore } from './port.ts';
import { PostgresEventStore } from './postgres/postgres-event-store.ts';
import { withUpcasting } from './upcasting.ts';

/**
 * EVENTSTORE_URL=esdb://… selects EventStoreDB; otherwise the Postgres event store on the app's
 * pool. Reads are upcast. (Imported statically: a dynamic import can load a second copy of the
 * port module under some loaders, and then `instanceof WrongExpectedVersionError` fails.)
 */
export async function createEventStore(eventStoreUrl: string | null, pool: pg.Pool): Promise<EventStore> {
  const store = eventStoreUrl ? new EsdbEventStore(eventStoreUrl) : new PostgresEventStore(pool);
  return withUpcasting(store, upcasters);
}
