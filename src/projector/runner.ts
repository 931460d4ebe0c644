import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { EventStore, Position, RecordedEvent } from '../eventstore/port.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import {
  advanceCheckpoint,
  advanceIdleCheckpoint,
  CheckpointConflictError,
  ensureCheckpoint,
  readCheckpoint,
} from './checkpoints.ts';
import { AdvisoryLock } from './lock.ts';
import { clearFailing, errorText, type Failure, HELD_BACK, isTransient, parkEvent, recordFailing } from './parking.ts';
import type { Projection } from './projection.ts';
import type { LogPageReader } from './shared-log.ts';
import { type LogWakeups, pollingWakeups } from './wakeups.ts';
import { applyPageStatement, enterPageTransaction, enterReadModelTransaction } from './read-model-transaction.ts';

const CHECKPOINT_REREAD_MS = 1000;

/** How a failing projection retries, isolates and parks (docs/operations.md, "Poison events"). */
export interface RetryPolicy {
  /** Attempts of one event, applied alone, before it is parked (made one after another). */
  parkAfter: number;
  /** Backoff after the n-th consecutive transient failure: min(maxDelayMs, baseDelayMs × 2^n). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { parkAfter: 5, baseDelayMs: 100, maxDelayMs: 5000 };

export interface RunnerOptions {
  databaseUrl: string;
  knex: Knex;
  store: EventStore;
  projection: Projection;
  logger: Logger;
  metrics?: Metrics;
  batchSize?: number;
  /** Poll interval when caught up, unless `wakeups` is given. */
  idleMs?: number;
  /** How a caught-up runner waits (Postgres: woken by NOTIFY); defaults to polling every idleMs. */
  wakeups?: LogWakeups;
  lockRetryMs?: number;
  /** Reads log pages (shared by the runners of a process); defaults to the store's own readAll. */
  readLog?: LogPageReader;
  retry?: Partial<RetryPolicy>;
}

/**
 * Follows the global log for one projection: takes the projection's lock, then repeatedly reads
 * the batch after its checkpoint and applies it together with the checkpoint in one transaction.
 */
export class ProjectionRunner {
  private readonly lock: AdvisoryLock;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private readonly handles: ReadonlySet<string>;
  /**
   * The checkpoint as this runner last wrote it. Only the lock holder moves it, so while the lock
   * is held and events flow it need not be read back; any failure forgets it (advanceCheckpoint
   * refuses a checkpoint that moved anyway). When idle it is read again every
   * CHECKPOINT_REREAD_MS, so an operator who moves it back (to replay) is heard without new events.
   */
  private checkpoint: { position: Position | null; readAt: number } | null = null;
  private readonly policy: RetryPolicy;
  /** Where the last read of the log ended (its last event, or where it started when empty). */
  private readUpTo: Position | null = null;
  /** When the oldest event this runner has not applied yet was recorded (for the lag gauge). */
  private oldestUnapplied: Date | null = null;

  private readonly opts: RunnerOptions;
  private readonly wakeups: LogWakeups;

  constructor(opts: RunnerOptions) {
    this.opts = opts;
    this.wakeups = opts.wakeups ?? pollingWakeups(opts.idleMs ?? 20);
    this.lock = new AdvisoryLock(opts.databaseUrl, `oms-projection:${opts.projection.name}`);
    this.handles = new Set(opts.projection.handles);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  }

  get name(): string {
    return this.opts.projection.name;
  }

  get isActive(): boolean {
    return this.lock.held;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await this.lock.release();
  }

  /**
   * The loop. A batch that fails for a reason of its own (not the infrastructure) is applied again
   * at once, event by event (each in a savepoint): the events before the poison event are applied,
   * the poison event is tried `parkAfter` times in a row, then parked, and the checkpoint moves past
   * it. No backoff there: every other tenant's events wait behind the poison event until it is
   * parked, so parking is not delayed. Transient failures (connections, conflicts) are retried with
   * backoff and never park: waiting is what fixes them.
   */
  private async run(): Promise<void> {
    const { logger, knex, metrics } = this.opts;
    const signal = this.abort.signal;
    let failures = 0;
    let isolating = false;
    let failingSince: Date | null = null;
    await ensureCheckpoint(knex, this.name).catch(() => {});
    while (!signal.aborted) {
      try {
        if (!this.lock.held) {
          this.checkpoint = null;
          if (!(await this.lock.tryAcquire())) {
            await sleep(this.opts.lockRetryMs ?? 1000, undefined, { signal }).catch(() => {});
            continue;
          }
          logger.info({ projection: this.name }, 'projection lock acquired; this process applies it');
          // A failure recorded by a previous holder is this holder's to confirm or clear.
          await clearFailing(knex, this.name);
        }
        // Noted before the read: a wake-up during it means the read may have missed that append.
        const seen = this.wakeups.epoch;
        const applied = isolating ? await this.processIsolated() : await this.processBatch();
        if (failures > 0) {
          failures = 0;
          isolating = false;
          failingSince = null;
          await clearFailing(knex, this.name).catch(() => {});
        }
        if (applied === 0) await this.wakeups.idle(seen, signal, this.readUpTo);
      } catch (err) {
        this.checkpoint = null;
        failures++;
        failingSince ??= new Date();
        metrics?.projectionBatchFailures.inc({ projection: this.name });
        if (this.oldestUnapplied)
          metrics?.projectionLag.set(
            { projection: this.name },
            Math.max(0, (Date.now() - this.oldestUnapplied.getTime()) / 1000),
          );
        logger.error({ err, projection: this.name, failures }, 'projection batch failed; retrying');
        await recordFailing(knex, this.name, failingSince, failures, errorText(err)).catch(() => {});
        if (!isolating && !isTransient(err)) {
          isolating = true; // a poison event in the batch: find and park it now
          continue;
        }
        // Infrastructure, or the isolated pass itself failed (parking refused): wait, never spin.
        const delay = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** failures);
        await sleep(delay, undefined, { signal }).catch(() => {});
      }
    }
  }

  /** The page after the checkpoint (remembering when its first event was recorded). */
  private async readBatch(): Promise<{ from: Position | null; events: RecordedEvent[]; maxCount: number }> {
    const { knex, store, projection } = this.opts;
    this.checkpoint ??= {
      position: (await readCheckpoint(knex, projection.name))?.position ?? null,
      readAt: Date.now(),
    };
    const from: Position | null = this.checkpoint.position;
    const maxCount = this.opts.batchSize ?? 1000;
    const events = this.opts.readLog
      ? await this.opts.readLog(from, maxCount)
      : await store.readAll({ after: from, maxCount });
    this.oldestUnapplied = events[0]?.createdAt ?? null;
    this.readUpTo = events[events.length - 1]?.position ?? from;
    return { from, events, maxCount };
  }

  /** Caught up: nothing to apply (re-read the checkpoint now and then, see `checkpoint`). */
  private idle(): 0 {
    if (this.checkpoint && Date.now() - this.checkpoint.readAt > CHECKPOINT_REREAD_MS) this.checkpoint = null;
    this.opts.metrics?.projectionLag.set({ projection: this.name }, 0);
    return 0;
  }

  /** After `count` events up to `last` were committed. */
  private applied(last: RecordedEvent, count: number, full: boolean): void {
    const { metrics } = this.opts;
    this.checkpoint = { position: last.position, readAt: this.checkpoint?.readAt ?? Date.now() };
    metrics?.projectionEvents.inc({ projection: this.name }, count);
    // A full page: more may follow, the next one recorded at or after `last`.
    metrics?.projectionLag.set(
      { projection: this.name },
      full ? Math.max(0, (Date.now() - last.createdAt.getTime()) / 1000) : 0,
    );
  }

  /**
   * Applies the page event by event, each in a savepoint. An event that fails is tried again at
   * once, up to `parkAfter` attempts in all; then it is parked with a stale mark and the page goes
   * on. A transient failure rolls the page back and is rethrown (retried with backoff).
   */
  async processIsolated(): Promise<number> {
    const { knex, projection, metrics, logger } = this.opts;
    const { from, events, maxCount } = await this.readBatch();
    if (events.length === 0) return this.idle();
    const parked: RecordedEvent[] = [];
    await knex.transaction(async (trx) => {
      const held = await enterReadModelTransaction(trx, projection.schema, {
        projection: projection.name,
        streams: streamsOf(events.filter((e) => this.handles.has(e.type))),
      });
      for (const e of events) {
        if (!this.handles.has(e.type)) continue;
        const failure = held.has(e.streamName) ? heldBack() : await this.applyAlone(trx, e);
        if (failure) {
          await parkEvent(trx, projection.name, e, failure);
          held.add(e.streamName);
          parked.push(e);
        }
      }
      await advanceCheckpoint(trx, projection.name, from, events[events.length - 1]!.position, events.length);
    });
    for (const e of parked) {
      metrics?.projectionEventsParked.inc({ projection: this.name });
      logger.warn(
        { projection: this.name, eventId: e.id, type: e.type, stream: e.streamName, tenant: e.metadata.tenant },
        'event parked: the projection moved past it (oms projections parked / retry-parked)',
      );
    }
    this.applied(events[events.length - 1]!, events.length, events.length === maxCount);
    return events.length;
  }

  /** Applies one event in a savepoint, up to `parkAfter` times; null when it applied, else why not. */
  private async applyAlone(trx: Knex.Transaction, e: RecordedEvent): Promise<Failure | null> {
    const firstFailedAt = new Date();
    let error = '';
    for (let attempt = 1; attempt <= this.policy.parkAfter; attempt++) {
      try {
        await trx.transaction((sp) => this.opts.projection.apply(sp, [e]));
        return null;
      } catch (err) {
        if (isTransient(err)) throw err;
        this.opts.metrics?.projectionBatchFailures.inc({ projection: this.name });
        error = errorText(err);
      }
    }
    return { error, attempts: this.policy.parkAfter, firstFailedAt, lastFailedAt: new Date() };
  }

  /** Applies the next batch; returns the number of log events it moved past (0: caught up). */
  async processBatch(): Promise<number> {
    const { knex, projection } = this.opts;
    const { from, events, maxCount } = await this.readBatch();
    if (events.length === 0) return this.idle();
    const handled = events.filter((e) => this.handles.has(e.type));
    const last = events[events.length - 1]!;
    if (handled.length === 0) {
      await advanceIdleCheckpoint(knex, projection.name, from, last.position, events.length);
      this.applied(last, events.length, events.length === maxCount);
      return events.length;
    }
    if (projection.statement && (projection.schema ?? 'public') === 'public') {
      const { stale, moved } = await applyPageStatement(
        knex,
        { projection: projection.name, streams: streamsOf(handled) },
        { name: projection.name, from, to: last.position, count: events.length },
        projection.statement(handled, 'moved'),
      );
      // Nothing was written: a stale stream's events go through the isolated pass.
      if (stale.size > 0) return this.processIsolated();
      if (!moved) throw new CheckpointConflictError(`checkpoint of ${projection.name} moved under this writer`);
      this.applied(last, events.length, events.length === maxCount);
      return events.length;
    }
    const applied = await knex
      .transaction(async (trx) => {
        const { stale, moved } = await enterPageTransaction(
          trx,
          projection.schema,
          { projection: projection.name, streams: streamsOf(handled) },
          { name: projection.name, from, to: last.position, count: events.length },
        );
        // A stream with a parked event: its later events are parked behind it, which the isolated
        // pass does (this transaction is rolled back with its checkpoint move).
        if (stale.size > 0) throw STALE_STREAMS;
        if (!moved) throw new CheckpointConflictError(`checkpoint of ${projection.name} moved under this writer`);
        await projection.apply(trx, handled);
        return true;
      })
      .catch((err) => {
        if (err === STALE_STREAMS) return false;
        throw err;
      });
    if (!applied) return this.processIsolated();
    this.applied(last, events.length, events.length === maxCount);
    return events.length;
  }
}

/** Thrown to roll back a page that holds an event of a stream with a parked event. */
const STALE_STREAMS = Symbol('stale streams');

/** The distinct streams of some events. */
function streamsOf(events: readonly RecordedEvent[]): string[] {
  return [...new Set(events.map((e) => e.streamName))];
}

/** The record of an event parked behind an earlier parked event of its stream (never tried). */
function heldBack(): Failure {
  const now = new Date();
  return { error: HELD_BACK, attempts: 0, firstFailedAt: now, lastFailedAt: now };
}
