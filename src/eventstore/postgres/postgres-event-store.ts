import type pg from 'pg';
import {
  checkStreamWrites,
  DuplicateEventIdError,
  IdempotencyKeyTakenError,
  WrongExpectedVersionError,
  type AppendOptions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StreamRead,
  type RecordedEvent,
  type StreamWrite,
  type SubscribeToAllOptions,
} from '../port.ts';
import { AppendAnnouncer } from './append-announcer.ts';
import { pollUntilAborted } from './poll.ts';

interface EventRow {
  global_position: string;
  tx: string;
  event_id: string;
  stream_name: string;
  stream_revision: string;
  event_type: string;
  data: unknown;
  metadata: EventMetadata;
  created_at: Date;
}

// Note: never alias a column to its own name here: ORDER BY would then sort the text alias.
const COLUMNS =
  'global_position, transaction_id::text as tx, event_id, stream_name, stream_revision, event_type, data, metadata, created_at';

/**
 * Several streams in one round trip, each from a revision. A named statement runs on a generic plan
 * after five executions, and that plan cannot see how many streams the array holds (it assumes 10):
 * as a plain join it hashed the array and scanned all of es_events, 91 ms per call on a 100,000-event
 * log (growing with the log) against 2 ms. The lateral subquery, kept apart by `offset 0`, makes
 * every plan an index lookup per stream.
 */
export const READ_STREAMS_SQL = `select ${COLUMNS}, r.i
   from unnest($1::text[], $2::bigint[]) with ordinality as r(name, from_revision, i)
  cross join lateral (select * from es_events
                       where stream_name = r.name and stream_revision >= r.from_revision
                       order by stream_revision offset 0) e
  order by r.i, e.stream_revision`;

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.event_type,
    streamName: row.stream_name,
    revision: Number(row.stream_revision),
    position: { commit: BigInt(row.tx), prepare: BigInt(row.global_position) },
    data: row.data,
    metadata: row.metadata,
    createdAt: row.created_at,
  };
}

/** What a lean read (ReadAllOptions.lean) selects: no event id, timestamp or metadata but the tenant. */
const LEAN_COLUMNS =
  "global_position, transaction_id::text as tx, stream_name, stream_revision, event_type, data, tenant, metadata->'schemaVersion' as schema_version";

interface LeanRow
  extends Pick<EventRow, 'global_position' | 'tx' | 'stream_name' | 'stream_revision' | 'event_type' | 'data'> {
  tenant: string;
  schema_version: number | null;
}

const EPOCH = new Date(0);

function leanToRecorded(row: LeanRow): RecordedEvent {
  const metadata = (
    row.schema_version === null ? { tenant: row.tenant } : { tenant: row.tenant, schemaVersion: row.schema_version }
  ) as EventMetadata;
  return {
    id: '',
    type: row.event_type,
    streamName: row.stream_name,
    revision: Number(row.stream_revision),
    position: { commit: BigInt(row.tx), prepare: BigInt(row.global_position) },
    data: row.data,
    metadata,
    createdAt: EPOCH,
  };
}

interface AppendRow {
  next_revision: string;
  tx: string;
  pos: string;
  /** This statement's own transaction wrote the events (false: an idempotent re-append). */
  wrote: boolean;
}

/** Appended to an es_append* call's select list: see AppendRow.wrote. */
const WROTE = 'coalesce(tx = pg_current_xact_id_if_assigned(), false) as wrote';

function toAppendResult(row: AppendRow): AppendResult {
  return {
    nextExpectedRevision: Number(row.next_revision),
    position: { commit: BigInt(row.tx), prepare: BigInt(row.pos) },
  };
}

/** es_append's p_events (as JSON). */
function eventRows(events: readonly NewEvent[]): unknown[] {
  return events.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata }));
}

function expectedArgs(expected: ExpectedRevision): [string, string | null] {
  if (typeof expected === 'number') return ['exact', String(expected)];
  return [expected, null];
}

export interface PostgresEventStoreOptions {
  /** How long an idle subscription waits before polling again (ms). */
  pollIntervalMs?: number;
}

/**
 * The default event store: tables es_events / es_streams and the es_append function created by
 * migrations/20261128000100_event_store.ts. The pool is shared with the rest of the process.
 */
export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres' as const;
  readonly atomicMultiStreamAppend = true;
  readonly idempotencyRecords = true;
  private readonly pollIntervalMs: number;

  private readonly pool: pg.Pool;
  /** NOTIFYs log readers of committed appends (no trigger: see the announcer). */
  readonly announcer: AppendAnnouncer;

  constructor(pool: pg.Pool, options: PostgresEventStoreOptions = {}) {
    this.pool = pool;
    this.pollIntervalMs = options.pollIntervalMs ?? 20;
    this.announcer = new AppendAnnouncer(pool);
  }

  async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const write: StreamWrite = { streamName: stream, events, expectedRevision: options.expectedRevision ?? 'any' };
    const [kind, expected] = expectedArgs(write.expectedRevision!);
    const record = options.idempotencyRecord;
    const values: unknown[] = [stream, kind, expected, JSON.stringify(eventRows(events))];
    if (record) values.push(record.tenant, record.key, record.fingerprint, record.since, record.leaseSeconds);
    return this.withRetries([write], async () => {
      let res: pg.QueryResult<AppendRow>;
      try {
        res = await this.pool.query<AppendRow>(
          record
            ? {
                name: 'es_append_keyed',
                text: `select next_revision, tx::text as tx, pos, ${WROTE}
                         from es_append_keyed($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9)`,
                values,
              }
            : {
                name: 'es_append',
                text: `select next_revision, tx::text as tx, pos, ${WROTE} from es_append($1, $2, $3, $4::jsonb)`,
                values,
              },
        );
      } catch (err) {
        const e = err as { code?: string; constraint?: string };
        if (record && e.code === '23505' && e.constraint === 'idempotency_keys_pkey')
          throw new IdempotencyKeyTakenError(record.tenant, record.key);
        throw err;
      }
      const row = res.rows[0];
      if (!row) throw new Error('es_append returned no row');
      if (row.wrote) this.announcer.announce(BigInt(row.tx));
      return toAppendResult(row);
    });
  }

  /** One call of es_append_many: one statement, so one transaction (see the port and the migration). */
  async appendToStreams(writes: readonly StreamWrite[]): Promise<AppendResult[]> {
    checkStreamWrites(writes);
    if (writes.length === 0) return [];
    const payload = JSON.stringify(
      writes.map((w) => {
        const [kind, expected] = expectedArgs(w.expectedRevision ?? 'any');
        return { stream: w.streamName, kind, expected, events: eventRows(w.events) };
      }),
    );
    return this.withRetries(writes, async () => {
      const res = await this.pool.query<AppendRow & { idx: number }>({
        name: 'es_append_many',
        text: `select idx, next_revision, tx::text as tx, pos, ${WROTE} from es_append_many($1::jsonb) order by idx`,
        values: [payload],
      });
      if (res.rows.length !== writes.length) throw new Error('es_append_many returned a row count unlike its writes');
      const wrote = res.rows.filter((r) => r.wrote);
      if (wrote.length > 0) this.announcer.announce(BigInt(wrote[0]!.tx));
      return res.rows.map(toAppendResult);
    });
  }

  /**
   * Runs an append (a single statement), mapping es_append's errors to the port's and retrying
   * what a rerun settles. Two concurrent appends of the same event ids: the loser retries once and
   * then takes the idempotent path; a racing 'no_stream' insert of the same stream is the same.
   * Two multi-stream appends creating the same new streams in opposite orders can deadlock:
   * Postgres aborts one, which is rerun (its expected revisions then decide).
   */
  private async withRetries<T>(writes: readonly StreamWrite[], append: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await append();
      } catch (err) {
        const e = err as { code?: string; message?: string; constraint?: string; detail?: string };
        // es_append names its stream in DETAIL.
        const write = writes.find((w) => w.streamName === e.detail) ?? writes[0]!;
        if (e.code === 'P0001' && e.message?.startsWith('wrong_expected_version:')) {
          const actual = e.message.slice('wrong_expected_version:'.length);
          throw new WrongExpectedVersionError(
            write.streamName,
            write.expectedRevision ?? 'any',
            actual === 'no_stream' ? 'no_stream' : Number(actual),
          );
        }
        if (e.code === 'P0002') throw new DuplicateEventIdError(write.events[0]!.id);
        if (e.code === '23505' && attempt === 0) continue;
        if (e.code === '40P01' && attempt < 3) continue;
        if (e.code === '23505' && e.constraint === 'es_events_event_id_key')
          throw new DuplicateEventIdError(write.events[0]!.id);
        throw err;
      }
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const limit = options.maxCount ?? 1_000_000;
    const res = await this.pool.query<EventRow>({
      name: backwards ? 'es_read_stream_bwd' : 'es_read_stream_fwd',
      text: `select ${COLUMNS} from es_events where stream_name = $1 and stream_revision ${backwards ? '<=' : '>='} $2
             order by stream_revision ${backwards ? 'desc' : 'asc'} limit $3`,
      values: [stream, from, limit],
    });
    return res.rows.map(toRecorded);
  }

  async readStreams(reads: readonly StreamRead[]): Promise<RecordedEvent[][]> {
    const out: RecordedEvent[][] = reads.map(() => []);
    if (reads.length === 0) return out;
    const res = await this.pool.query<EventRow & { i: string }>({
      name: 'es_read_streams',
      text: READ_STREAMS_SQL,
      values: [reads.map((r) => r.streamName), reads.map((r) => Math.max(0, r.fromRevision ?? 0))],
    });
    for (const row of res.rows) out[Number(row.i) - 1]!.push(toRecorded(row));
    return out;
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const after = options.after ?? { commit: 0n, prepare: 0n };
    const values: unknown[] = [after.commit.toString(), after.prepare.toString(), options.maxCount];
    let filters = '';
    if (options.tenant !== undefined) {
      values.push(options.tenant);
      filters += ` and tenant = $${values.length}`;
    }
    if (options.types !== undefined) {
      values.push(options.types);
      filters += ` and event_type = any($${values.length}::text[])`;
    }
    const lean = options.lean === true;
    const res = await this.pool.query<EventRow | LeanRow>({
      name: `es_read_all${options.tenant !== undefined ? '_tenant' : ''}${options.types !== undefined ? '_types' : ''}${lean ? '_lean' : ''}`,
      text: `select ${lean ? LEAN_COLUMNS : COLUMNS} from es_events
              where (transaction_id, global_position) > ($1::xid8, $2::bigint)
                and transaction_id < (select es_log_horizon())
                ${filters}
              order by transaction_id, global_position
              limit $3`,
      values,
    });
    return lean ? (res.rows as LeanRow[]).map(leanToRecorded) : (res.rows as EventRow[]).map(toRecorded);
  }

  async *subscribeToAll(options: SubscribeToAllOptions = {}): AsyncIterable<RecordedEvent> {
    let after = options.after ?? null;
    const batchSize = 500;
    const tenant = options.tenant;
    for await (const _ of pollUntilAborted(this.pollIntervalMs, options.signal)) {
      // Drain everything visible, then wait a poll interval.
      for (;;) {
        const batch = await this.readAll({ after, maxCount: batchSize, ...(tenant !== undefined ? { tenant } : {}) });
        for (const event of batch) {
          if (options.signal?.aborted) return;
          yield event;
          after = event.position;
        }
        if (batch.length < batchSize) break;
      }
    }
  }

  async headPosition(): Promise<Position | null> {
    const res = await this.pool.query<{ tx: string; pos: string }>(
      `select transaction_id::text as tx, global_position as pos from es_events
        where transaction_id < (select es_log_horizon())
        order by transaction_id desc, global_position desc limit 1`,
    );
    const row = res.rows[0];
    return row ? { commit: BigInt(row.tx), prepare: BigInt(row.pos) } : null;
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1 from es_streams limit 1');
  }

  async close(): Promise<void> {
    // The pool belongs to the caller; the announcement of the last appends still uses it.
    await this.announcer.settled();
  }
}
