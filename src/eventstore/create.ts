import type pg from 'pg';
import type { EventStore } from './port.ts';
import { PostgresEventStore } from './postgres/postgres-event-store.ts';

/** EVENTSTORE_URL=esdb://… selects EventStoreDB; otherwise the Postgres event store on the app's pool. */
export async function createEventStore(eventStoreUrl: string | null, pool: pg.Pool): Promise<EventStore> {
  if (eventStoreUrl) {
    // Loaded only when used: the gRPC client costs memory and start-up time.
    const { EsdbEventStore } = await import('./esdb/esdb-event-store.ts');
    return new EsdbEventStore(eventStoreUrl);
  }
  return new PostgresEventStore(pool);
}
