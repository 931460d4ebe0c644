import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { EventStore, Position } from '../eventstore/port.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { advanceCheckpoint, ensureCheckpoint, readCheckpoint } from './checkpoints.ts';
import { AdvisoryLock } from './lock.ts';
import type { Projection } from './projection.ts';
import type { LogPageReader } from './shared-log.ts';

const CHECKPOINT_REREAD_MS = 1000;

export interface RunnerOptions {
  databaseUrl: string;
  knex: Knex;
  store: EventStore;
  projection: Projection;
  logger: Logger;
  metrics?: Metrics;
  batchSize?: number;
  idleMs?: number;
  lockRetryMs?: number;
  /** Reads log pages (shared by the runners of a process); defaults to the store's own readAll. */
  readLog?: LogPageReader;
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

  constructor(private readonly opts: RunnerOptions) {
    this.lock = new AdvisoryLock(opts.databaseUrl, `oms-projection:${opts.projection.name}`);
    this.handles = new Set(opts.projection.handles);
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

  private async run(): Promise<void> {
    const { logger } = this.opts;
    const signal = this.abort.signal;
    let failures = 0;
    await ensureCheckpoint(this.opts.knex, this.name).catch(() => {});
    while (!signal.aborted) {
      try {
        if (!this.lock.held) {
          this.checkpoint = null;
          if (!(await this.lock.tryAcquire())) {
            await sleep(this.opts.lockRetryMs ?? 1000, undefined, { signal }).catch(() => {});
            continue;
          }
          logger.info({ projection: this.name }, 'projection lock acquired; this process applies it');
        }
        const applied = await this.processBatch();
        failures = 0;
        if (applied === 0) await sleep(this.opts.idleMs ?? 20, undefined, { signal }).catch(() => {});
      } catch (err) {
        this.checkpoint = null;
        failures++;
        logger.error({ err, projection: this.name, failures }, 'projection batch failed; retrying');
        await sleep(Math.min(5000, 100 * 2 ** failures), undefined, { signal }).catch(() => {});
      }
    }
  }

  /** Applies the next batch; returns the number of log events it moved past (0: caught up). */
  async processBatch(): Promise<number> {
    const { knex, store, projection, metrics } = this.opts;
    this.checkpoint ??= {
      position: (await readCheckpoint(knex, projection.name))?.position ?? null,
      readAt: Date.now(),
    };
    const from: Position | null = this.checkpoint.position;
    const maxCount = this.opts.batchSize ?? 1000;
    const events = this.opts.readLog
      ? await this.opts.readLog(from, maxCount)
      : await store.readAll({ after: from, maxCount });
    if (events.length === 0) {
      if (Date.now() - this.checkpoint.readAt > CHECKPOINT_REREAD_MS) this.checkpoint = null;
      metrics?.projectionLag.set({ projection: projection.name }, 0);
      return 0;
    }
    const handled = events.filter((e) => this.handles.has(e.type));
    const last = events[events.length - 1]!;
    await knex.transaction(async (trx) => {
      if (projection.schema && projection.schema !== 'public')
        await trx.raw('set local search_path to ??, public', [projection.schema]);
      if (handled.length > 0) await projection.apply(trx, handled);
      await advanceCheckpoint(trx, projection.name, from, last.position, events.length);
    });
    this.checkpoint = { position: last.position, readAt: this.checkpoint.readAt };
    metrics?.projectionEvents.inc({ projection: projection.name }, events.length);
    metrics?.projectionLag.set(
      { projection: projection.name },
      Math.max(0, (Date.now() - last.createdAt.getTime()) / 1000),
    );
    return events.length;
  }
}
