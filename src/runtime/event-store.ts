import type pg from 'pg';
import { upcasters } from '../../domain/upcasters.ts';
import { EsdbEventStore } from '../eventstore/esdb/esdb-event-store.ts';
import type { EventStore } from '../eventstore/port.ts';
import { PostgresEventStore } from '../eventstore/postgres/postgres-event-store.ts';
import { withUpcasting } from '../eventstore/upcasting.ts';
import type { PiiKeys } from '../pii/keys.ts';
import { withPiiEncryption } from '../pii/pii-event-store.ts';

/**
 * EVENTSTORE_URL=esdb://… selects EventStoreDB; otherwise the Postgres event store on the app's
 * pool. Personal data is encrypted on append and decrypted on read; reads are upcast. (Imported statically: a dynamic import can load a second copy of the
 * port module under some loaders, and then `instanceof WrongExpectedVersionError` fails.)
 */
export async function createEventStore(
  eventStoreUrl: string | null,
  pool: pg.Pool,
  piiKeys: PiiKeys,
): Promise<EventStore> {
  const store = eventStoreUrl ? new EsdbEventStore(eventStoreUrl) : new PostgresEventStore(pool);
  // Personal data is decrypted before upcasting, so upcasters see plain (or redacted) values.
  return withUpcasting(withPiiEncryption(store, piiKeys), upcasters);
}
