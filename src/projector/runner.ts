import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { EventStore, Position, RecordedEvent } from '../eventstore/port.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { advanceCheckpoint, ensureCheckpoint, readCheckpoint } from './checkpoints.ts';
import { AdvisoryLock } from './lock.ts';
import { clearFailing, errorText, type Failure, isTransient, parkEvent, recordFailing } from './parking.ts';
import type { Projection } from './projection.ts';
import type { LogPageReader } from './shared-log.ts';
import { type LogWakeups, pollingWakeups } from './wakeups.ts';

const CHECKPOINT_REREAD_MS = 1000;

/** How a failing projection retries, isolates and parks (docs/operations.md, "Poison events"). */
export interface RetryPolicy {
  /** Consecutive failures of a whole batch before it is applied event by event. */
  isolateAfter: number;
  /** Failed attempts of one event, applied alone, before it is parked. */
  parkAfter: number;
  /** Backoff after the n-th consecutive failure: min(maxDelayMs, baseDelayMs × 2^n). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { isolateAfter: 3, parkAfter: 5, baseDelayMs: 100, maxDelayMs: 5000 };

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
  /** Failures of single events (applied alone) not yet parked, by event id. */
  private readonly eventFailures = new Map<string, Failure>();
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
   * The loop. A failing batch is retried with backoff; after `isolateAfter` failures in a row it
   * is applied event by event (each in a savepoint), so the events before a poison event are
   * applied; a poison event that failed `parkAfter` times alone is parked and the checkpoint
   * moves past it. Transient failures (connections, conflicts) are retried but never park.
   */
  private async run(): Promise<void> {
    const { logger, knex, metrics } = this.opts;
    const signal = this.abort.signal;
    let failures = 0;
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
        const applied = failures >= this.policy.isolateAfter ? await this.processIsolated() : await this.processBatch();
        if (failures > 0) {
          failures = 0;
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
   * Applies the page event by event, each in a savepoint. Stops before the first event that fails
   * (committing those before it) and rethrows its error, unless that event has now failed
   * `parkAfter` times: then it is parked with a stale mark and the page goes on.
   */
  async processIsolated(): Promise<number> {
    const { knex, projection, metrics, logger } = this.opts;
    const { from, events, maxCount } = await this.readBatch();
    if (events.length === 0) return this.idle();
    let poison: unknown = null;
    let moved = 0;
    const parked: RecordedEvent[] = [];
    await knex.transaction(async (trx) => {
      if (projection.schema && projection.schema !== 'public')
        await trx.raw('set local search_path to ??, public', [projection.schema]);
      for (const e of events) {
        if (this.handles.has(e.type)) {
          try {
            await trx.transaction((sp) => projection.apply(sp, [e]));
          } catch (err) {
            if (isTransient(err)) throw err;
            const now = new Date();
            const before = this.eventFailures.get(e.id);
            const failure: Failure = {
              error: errorText(err),
              attempts: (before?.attempts ?? 0) + 1,
              firstFailedAt: before?.firstFailedAt ?? now,
              lastFailedAt: now,
            };
            this.eventFailures.set(e.id, failure);
            if (failure.attempts < this.policy.parkAfter) {
              poison = err;
              break;
            }
            await parkEvent(trx, projection.name, e, failure);
            parked.push(e);
          }
        }
        moved++;
      }
      if (moved > 0) await advanceCheckpoint(trx, projection.name, from, events[moved - 1]!.position, moved);
    });
    for (const e of parked) {
      this.eventFailures.delete(e.id);
      metrics?.projectionEventsParked.inc({ projection: this.name });
      logger.warn(
        { projection: this.name, eventId: e.id, type: e.type, stream: e.streamName, tenant: e.metadata.tenant },
        'event parked: the projection moved past it (oms projections parked / retry-parked)',
      );
    }
    if (moved > 0) this.applied(events[moved - 1]!, moved, moved === maxCount);
    if (poison !== null) {
      this.oldestUnapplied = events[moved]!.createdAt;
      throw poison;
    }
    this.eventFailures.clear();
    return moved;
  }

  /** Applies the next batch; returns the number of log events it moved past (0: caught up). */
  async processBatch(): Promise<number> {
    const { knex, projection } = this.opts;
    const { from, events, maxCount } = await this.readBatch();
    if (events.length === 0) return this.idle();
    const handled = events.filter((e) => this.handles.has(e.type));
    const last = events[events.length - 1]!;
    await knex.transaction(async (trx) => {
      if (projection.schema && projection.schema !== 'public')
        await trx.raw('set local search_path to ??, public', [projection.schema]);
      if (handled.length > 0) await projection.apply(trx, handled);
      await advanceCheckpoint(trx, projection.name, from, last.position, events.length);
    });
    this.applied(last, events.length, events.length === maxCount);
    return events.length;
  }
}
