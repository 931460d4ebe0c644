// Rebuild and verify read models without live reads ever seeing a half-built model:
// the projection is replayed from the start of the log into shadow copies of its tables (a schema
// of their own, found first on the search_path), caught up to exactly the live checkpoint while
// the live tables are locked, and then either swapped in (rebuild) or compared (verify).
import type { Knex } from 'knex';
import { comparePositions, type EventStore, type Position } from '../eventstore/port.ts';
import { readCheckpoint } from './checkpoints.ts';
import type { Projection, Replayer, ReplayLimits } from './projection.ts';
import { enterReadModelTransaction } from './read-model-transaction.ts';

export interface Progress {
  done: number;
  total: number | null;
  eventsPerSecond: number;
}

export interface RebuildOptions {
  knex: Knex;
  store: EventStore;
  projection: Projection;
  batchSize?: number;
  /** For projections with a replay() fast path: its rows per statement and rows held in memory. */
  replayLimits?: ReplayLimits;
  onProgress?: (p: Progress) => void;
}

export interface TableDifference {
  table: string;
  liveRows: number;
  rebuiltRows: number;
  onlyLive: number;
  onlyRebuilt: number;
}

/**
 * Events per replay page. Larger pages mean fewer rows written twice (an order whose events span
 * two pages is upserted once per page): 20,000 replayed 12,900 events/s against 9,000-11,000 at
 * 5,000 on the benchmark's log (2-3 events per order), for some 40 MB of events in memory.
 */
const REBUILD_PAGE = 20_000;

/**
 * Events a replayer folds per transaction outside the lock (see replay()): a commit waits for the
 * writes in flight, so fewer commits keep Postgres busier; 200,000 keeps a transaction to seconds.
 */
const EVENTS_PER_TRANSACTION = 200_000;

const shadowSchema = (p: Projection) => `rebuild_${p.name.replace(/[^a-z0-9_]/g, '_')}`;
const liveSchema = (p: Projection) => p.schema ?? 'public';

/** Events the replay will apply (for progress and its ETA). */
async function totalEvents(knex: Knex, store: EventStore, types: readonly string[]): Promise<number | null> {
  if (store.kind !== 'postgres') return null;
  const row = (await knex('es_events').whereIn('event_type', types).count<{ count: string }[]>('* as count'))[0];
  return Number(row?.count ?? 0);
}

/**
 * Shadow tables like the live ones, but with only their unique indexes (which upserts need):
 * the others are built once at the end (returned as their definitions), far cheaper than
 * maintaining them row by row during the replay.
 */
async function createShadow(knex: Knex, p: Projection): Promise<{ schema: string; deferredIndexes: string[] }> {
  const schema = shadowSchema(p);
  await knex.raw(`drop schema if exists ?? cascade`, [schema]);
  await knex.raw(`create schema ??`, [schema]);
  const deferredIndexes: string[] = [];
  for (const t of p.tables) {
    await knex.raw(`create table ??.?? (like ??.?? including all)`, [schema, t, liveSchema(p), t]);
    const plain = await knex.raw(
      `select i.indexname, i.indexdef from pg_indexes i
         join pg_class c on c.relname = i.indexname join pg_namespace n on n.oid = c.relnamespace and n.nspname = i.schemaname
         join pg_index x on x.indexrelid = c.oid
        where i.schemaname = ? and i.tablename = ? and not x.indisunique`,
      [schema, t],
    );
    for (const r of plain.rows as { indexname: string; indexdef: string }[]) {
      await knex.raw(`drop index ??.??`, [schema, r.indexname]);
      deferredIndexes.push(r.indexdef);
    }
  }
  return { schema, deferredIndexes };
}

/** Applies every event after `from` up to `until` (inclusive; null = the head) into the shadow tables. */
async function replay(
  opts: RebuildOptions,
  replayer: Replayer | null,
  schema: string,
  from: Position | null,
  until: Position | null,
  trx?: Knex.Transaction,
  seen = { done: 0, started: Date.now() },
  total: number | null = null,
) {
  const handles = new Set(opts.projection.handles);
  let after = from;
  // Only the projection's own event types: a rebuild skips (and never decrypts) the rest of the log.
  // A replayer reads lean events (no id, timestamp or metadata but the tenant: see Projection.replay).
  const read = (position: Position | null) =>
    opts.store.readAll({
      after: position,
      maxCount: opts.batchSize ?? REBUILD_PAGE,
      types: opts.projection.handles,
      ...(replayer ? { lean: true } : {}),
    });
  let next = read(after);
  next.catch(() => {});
  // Without a transaction of the caller, a replayer folds many pages in one transaction: its writes
  // are left in flight, so Postgres writes a page while the next one is folded, and only a commit
  // waits for them. (apply() without a replayer gets a transaction per page, as before.)
  let group: Knex.Transaction | null = null;
  let groupEvents = 0;
  const commitGroup = async () => {
    if (!group) return;
    const g = group;
    group = null;
    groupEvents = 0;
    await replayer!.drain();
    await g.commit();
  };
  try {
    for (;;) {
      const page = await next;
      // Read the next page while this one is written.
      if (page.length > 0) {
        next = read(page[page.length - 1]!.position);
        next.catch(() => {}); // not awaited when this page reaches `until`
      }
      const inRange = until ? page.filter((e) => comparePositions(e.position, until) <= 0) : page;
      if (inRange.length === 0) {
        await commitGroup();
        return after;
      }
      const handled = inRange.filter((e) => handles.has(e.type));
      const run = async (t: Knex.Transaction) => {
        // A crash mid-rebuild loses only the shadow, which the next run drops anyway.
        await enterReadModelTransaction(t, schema);
        if (handled.length === 0) return;
        if (replayer) await replayer.apply(t, handled);
        else await opts.projection.apply(t, handled);
      };
      if (trx) {
        await replayer?.drain(); // its writes of the last page first: one statement at a time on trx
        await run(trx);
      } else if (replayer) {
        if (!group) {
          group = await opts.knex.transaction();
          await enterReadModelTransaction(group, schema);
        }
        if (handled.length > 0) await replayer.apply(group, handled);
        groupEvents += inRange.length;
        if (groupEvents >= EVENTS_PER_TRANSACTION) await commitGroup();
      } else {
        await opts.knex.transaction(run);
      }
      after = inRange[inRange.length - 1]!.position;
      seen.done += inRange.length;
      const secs = Math.max(0.001, (Date.now() - seen.started) / 1000);
      opts.onProgress?.({ done: seen.done, total, eventsPerSecond: Math.round(seen.done / secs) });
      if (inRange.length < page.length) {
        await commitGroup(); // reached `until`
        return after;
      }
    }
  } catch (err) {
    // Queued after whatever is still in flight; a crash loses only the shadow, dropped anyway.
    await replayer?.drain().catch(() => {});
    await (group as Knex.Transaction | null)?.rollback().catch(() => {});
    throw err;
  }
}

/**
 * Replays into shadow tables, then inside one transaction: locks the live tables (the live
 * projector waits), catches the shadow up to the live checkpoint, and runs `finish`.
 */
async function buildShadow<T>(
  opts: RebuildOptions,
  finish: (trx: Knex.Transaction, schema: string) => Promise<T>,
): Promise<{ result: T; events: number; seconds: number }> {
  const { knex, projection } = opts;
  const { schema, deferredIndexes } = await createShadow(knex, projection);
  const total = await totalEvents(knex, opts.store, projection.handles);
  const seen = { done: 0, started: Date.now() };
  // One replayer for the whole rebuild: it holds rows across pages, and across the catch-up below.
  const replayer = projection.replay?.(opts.replayLimits) ?? null;
  const flush = async (trx: Knex.Transaction) => {
    if (!replayer) return;
    await enterReadModelTransaction(trx, schema);
    await replayer.flush(trx);
  };
  try {
    const reached = await replay(opts, replayer, schema, null, null, undefined, seen, total);
    await knex.transaction(flush);
    for (const def of deferredIndexes) await knex.raw(def);
    const result = await knex.transaction(async (trx) => {
      for (const t of projection.tables)
        await trx.raw(`lock table ??.?? in share row exclusive mode`, [liveSchema(projection), t]);
      await trx.raw(`select 1 from projection_checkpoints where name = ? for update`, [projection.name]);
      const live = (await readCheckpoint(trx, projection.name))?.position ?? null;
      if (live && (!reached || comparePositions(reached, live) < 0))
        await replay(opts, replayer, schema, reached, live, trx, seen, total);
      await flush(trx);
      // The shadow must not be ahead of the live checkpoint: rebuild what the live model claims to cover.
      if (live && reached && comparePositions(reached, live) > 0) {
        throw new Error('the live projection is behind the log; let it catch up (or stop writes) and run again');
      }
      return finish(trx, schema);
    });
    return { result, events: seen.done, seconds: (Date.now() - seen.started) / 1000 };
  } finally {
    await knex.raw(`drop schema if exists ?? cascade`, [schema]);
  }
}

/** Rebuilds a projection and swaps the result in atomically. */
export async function rebuildProjection(opts: RebuildOptions): Promise<{ events: number; seconds: number }> {
  const { result: _r, ...stats } = await buildShadow(opts, async (trx, schema) => {
    const live = liveSchema(opts.projection);
    for (const t of opts.projection.tables) {
      await trx.raw(`drop table ??.??`, [live, t]);
      await trx.raw(`alter table ??.?? set schema ??`, [schema, t, live]);
    }
  });
  return stats;
}

async function rowCount(trx: Knex.Transaction, schema: string, table: string): Promise<number> {
  const r = await trx.raw(`select count(*)::int as n from ??.??`, [schema, table]);
  return r.rows[0].n as number;
}

/** Rebuilds in shadow and reports every table whose rows differ from the live ones. */
export async function verifyProjection(opts: RebuildOptions): Promise<{
  differences: TableDifference[];
  checksums: Record<string, { live: string; rebuilt: string }>;
  events: number;
  seconds: number;
}> {
  const { result, ...stats } = await buildShadow(opts, async (trx, schema) => {
    const differences: TableDifference[] = [];
    const checksums: Record<string, { live: string; rebuilt: string }> = {};
    for (const t of opts.projection.tables) {
      const sum = async (s: string) =>
        (
          await trx.raw(
            `select coalesce(md5(string_agg(md5(x::text), '' order by md5(x::text))), '') as h from ??.?? x`,
            [s, t],
          )
        ).rows[0].h as string;
      const live = liveSchema(opts.projection);
      checksums[t] = { live: await sum(live), rebuilt: await sum(schema) };
      if (checksums[t].live === checksums[t].rebuilt) continue;
      const onlyLive = (
        await trx.raw(`select count(*)::int as n from (select * from ??.?? except all select * from ??.??) d`, [
          live,
          t,
          schema,
          t,
        ])
      ).rows[0].n;
      const onlyRebuilt = (
        await trx.raw(`select count(*)::int as n from (select * from ??.?? except all select * from ??.??) d`, [
          schema,
          t,
          live,
          t,
        ])
      ).rows[0].n;
      differences.push({
        table: t,
        liveRows: await rowCount(trx, live, t),
        rebuiltRows: await rowCount(trx, schema, t),
        onlyLive,
        onlyRebuilt,
      });
    }
    return { differences, checksums };
  });
  return { ...result, ...stats };
}
