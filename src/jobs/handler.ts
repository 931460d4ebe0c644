import type { Queue } from 'bullmq';
import type { Knex } from 'knex';
import type { Config } from '../config/config.ts';
import type { EventMetadata, EventStore, RecordedEvent } from '../eventstore/port.ts';
import type { Logger } from '../observability/logger.ts';

/** The event a job was enqueued for, as it travels through Redis (positions as text). */
export interface JobEvent {
  id: string;
  type: string;
  streamName: string;
  revision: number;
  position: string;
  data: unknown;
  metadata: EventMetadata;
  createdAt: string;
}

export interface JobContext {
  store: EventStore;
  knex: Knex;
  queue: Queue;
  config: Config;
  logger: Logger;
  /** 1 on the first run, then 2, 3, … */
  attempt: number;
  /** Stable per (handler, event): use it to derive ids of anything the job writes. */
  jobId: string;
}

/**
 * A side effect that follows events. BullMQ delivers at least once, so handle() must be
 * idempotent on its own: derive event ids from ctx.jobId (the event store ignores a re-append)
 * or check what was already done.
 */
export interface JobHandler {
  name: string;
  handles: readonly string[];
  attempts?: number;
  /** Base delay of the exponential backoff between attempts (ms). */
  backoffMs?: number;
  handle(event: JobEvent, ctx: JobContext): Promise<void>;
  /**
   * Optional batch filter, asked by the dispatcher inside its transaction: of these events, which
   * need a job at all (e.g. no fan-out for a tenant without webhook endpoints). Absent: all.
   */
  wants?(trx: Knex.Transaction, events: readonly RecordedEvent[]): Promise<(event: RecordedEvent) => boolean>;
}

/** BullMQ job ids may not contain ':' nor be integers; event ids are UUIDs, handler names are slugs. */
export function jobIdFor(handler: string, eventId: string): string {
  return `${handler}__${eventId}`;
}
