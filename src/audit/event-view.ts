import { currentVersion } from '../../domain/upcasters.ts';
import { formatPosition, type RecordedEvent } from '../eventstore/port.ts';

/** An event as auditors see it. `revision` counts from 1, like a resource's version. */
export interface EventView {
  id: string;
  type: string;
  stream: { category: string; id: string };
  revision: number;
  position: string;
  occurredAt: string;
  data: unknown;
  metadata: {
    actor: string;
    correlationId: string;
    causationId: string | null;
    idempotencyKey?: string;
    /** The version of the shape of `data`: after upcasting, its type's current version. */
    schemaVersion: number;
  };
}

export function eventView(e: RecordedEvent): EventView {
  const [, category = '', ...rest] = e.streamName.split(':');
  const m = e.metadata;
  return {
    id: e.id,
    type: e.type,
    stream: { category, id: rest.join(':') },
    revision: e.revision + 1,
    position: formatPosition(e.position),
    occurredAt: e.createdAt.toISOString(),
    data: e.data,
    metadata: {
      actor: m.actor,
      correlationId: m.correlationId,
      causationId: m.causationId,
      ...(m.idempotencyKey !== undefined ? { idempotencyKey: m.idempotencyKey } : {}),
      schemaVersion: typeof m.schemaVersion === 'number' ? m.schemaVersion : currentVersion(e.type),
    },
  };
}

/** Streams that are bookkeeping of the service itself (uniqueness claims), not business entities. */
export const INTERNAL_CATEGORIES: ReadonlySet<string> = new Set(['customer-email', 'order-external-id']);

export function isInternal(e: RecordedEvent): boolean {
  return INTERNAL_CATEGORIES.has(e.streamName.split(':')[1] ?? '');
}
