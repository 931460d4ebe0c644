import type pg from 'pg';
import { upcasters } from '../events/upcasters.ts';
import type { EventStore } from './port.ts';
import { PostgresEventStore } from './postgres/postgres-event-store.ts';
import { withUpcasting } from './upcasting.ts';

/** EVENTSTORE_URL=esdb://… selects EventStoreDB; otherwise the Postgres event store on the app's pool. Reads are upcast. */
export async function createEventStore(eventStoreUrl: string | null, pool: pg.Pool): Promise<EventStore> {
  if (eventStoreUrl) {
    // Loaded only when used: the gRPC client costs memory and start-up time.
    const { EsdbEventStore } = await import('./esdb/esdb-event-store.ts');
    return withUpcasting(new EsdbEventStore(eventStoreUrl), upcasters);
  }
  return withUpcasting(new PostgresEventStore(pool), upcasters);
}
