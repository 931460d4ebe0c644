import { formatPosition, type EventStore, type RecordedEvent } from '../eventstore/port.ts';
import type { JobEvent } from './handler.ts';

/**
 * What a dispatched job carries through Redis: where its event is, never the event's data. Redis
 * keeps jobs for a day (completed) or for good (failed) and may write them to disk, so personal
 * data stays out of it; the worker reads the event through the decrypting store when the job runs,
 * which also means a customer forgotten before then is read back redacted.
 */
export interface EventRef {
  id: string;
  type: string;
  streamName: string;
  revision: number;
  position: string;
  tenant: string;
}

export function eventRefOf(e: RecordedEvent): EventRef {
  return {
    id: e.id,
    type: e.type,
    streamName: e.streamName,
    revision: e.revision,
    position: formatPosition(e.position),
    tenant: e.metadata.tenant,
  };
}

/** A dispatched job (also one queued by an older version with the event inlined: it is read again too). */
export function isEventRef(data: unknown): data is EventRef {
  const d = data as Partial<EventRef> | null;
  return typeof d?.id === 'string' && typeof d.streamName === 'string' && typeof d.revision === 'number';
}

export class EventNotFound extends Error {
  override readonly name = 'EventNotFound';
}

/** The referenced event as the store reads it now (decrypted, or redacted once its key is gone). */
export async function readReferencedEvent(store: EventStore, ref: EventRef): Promise<JobEvent> {
  const [e] = await store.readStream(ref.streamName, { fromRevision: ref.revision, maxCount: 1 });
  if (!e || e.id !== ref.id) throw new EventNotFound(`event ${ref.id} is not at ${ref.streamName}@${ref.revision}`);
  return {
    id: e.id,
    type: e.type,
    streamName: e.streamName,
    revision: e.revision,
    position: formatPosition(e.position),
    data: e.data,
    metadata: e.metadata,
    createdAt: e.createdAt.toISOString(),
  };
}
