import type { Knex } from 'knex';
import type { Decider, DomainEvent } from '../domain/shared/decider.ts';
import { idOfStream, type RecordedEvent } from '../src/eventstore/port.ts';
import type { Projection, Replayer, ReplayLimits } from '../src/projector/projection.ts';

/**
 * A read model whose rows hold the aggregate folded with the domain's own evolve (so the row IS a
 * fold of the stream), plus whatever columns lists filter and sort on. A batch loads the touched
 * rows once, folds their new events in memory and writes each row once. Events at or below a
 * row's version were applied already and are skipped.
 */
export function foldedStateProjection<S extends { status: string }, E extends DomainEvent>(opts: {
  name: string;
  table: string;
  handles: readonly string[];
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>;
  /** Columns besides tenant, id, state and version; null skips the row (nothing to show yet). */
  columns(state: S): Record<string, unknown> | null;
}): Omit<Projection, 'replay'> & { replay(limits?: ReplayLimits): FoldedReplayer<S> } {
  return {
    name: opts.name,
    handles: opts.handles,
    tables: [opts.table],
    async apply(trx: Knex.Transaction, events: readonly RecordedEvent[]) {
      const groups = new Map<string, { tenant: string; id: string; events: RecordedEvent[] }>();
      for (const e of events) {
        const key = `${e.metadata.tenant}\u0000${idOfStream(e.streamName)}`;
        const g = groups.get(key) ?? { tenant: e.metadata.tenant, id: idOfStream(e.streamName), events: [] };
        g.events.push(e);
        groups.set(key, g);
      }
      // Array parameters, not a tuple list: one bind however many rows (a rebuild touches thousands).
      const keys = [...groups.values()];
      const existing = (
        await trx.raw(
          `select tenant, id, state, version from ?? where (tenant, id) in (select * from unnest(?::text[], ?::text[]))`,
          [opts.table, keys.map((g) => g.tenant), keys.map((g) => g.id)],
        )
      ).rows as { tenant: string; id: string; state: S; version: number }[];
      const current = new Map(existing.map((r) => [`${r.tenant}\u0000${r.id}`, r]));
      const rows: Record<string, unknown>[] = [];
      for (const [key, g] of groups) {
        let state = current.get(key)?.state ?? opts.decider.initialState();
        let version = current.get(key)?.version ?? 0;
        for (const e of g.events) {
          if (e.revision + 1 <= version) continue;
          state = opts.decider.evolve(state, { type: e.type, data: e.data } as E);
          version = e.revision + 1;
        }
        const columns = opts.columns(state);
        if (columns) rows.push({ tenant: g.tenant, id: g.id, ...columns, state, version });
      }
      if (rows.length > 0) await upsertRows(trx, opts.table, rows);
    },
    replay: (limits) => foldedReplayer(opts, limits),
  };
}

interface Held<S> {
  key: string;
  tenant: string;
  id: string;
  state: S;
  version: number;
  /** Changed since last written. */
  dirty: boolean;
}

/** A folded-state replay, plus a way to let SQL change some rows it holds (see the orders projection). */
export interface FoldedReplayer<S> extends Replayer {
  /** Writes the held rows of a tenant that match, and forgets them: the next event of theirs reads them back. */
  evict(trx: Knex.Transaction, tenant: string, match: (state: S) => boolean): Promise<void>;
}

/**
 * The rebuild's fast path: the table starts empty and only this replayer writes it, so a row's
 * state is what it holds in memory, and nothing needs reading back except rows it let go. Rows
 * stay in memory while their order is alive (its events are spread over many pages) and are
 * written once, when they become the least recently changed beyond `heldRows` or at a flush, in
 * multi-row statements; a row written and changed again later is read back and upserted.
 */
function foldedReplayer<S extends { status: string }, E extends DomainEvent>(
  opts: Parameters<typeof foldedStateProjection<S, E>>[0],
  limits: ReplayLimits = {},
): FoldedReplayer<S> {
  const perStatement = limits.rowsPerStatement ?? 1_000;
  const heldMax = limits.heldRows ?? 100_000;
  // Map order is the order of last change: the first entries are the ones to let go.
  const held = new Map<string, Held<S>>();
  const written = new Set<string>();
  // Writes are not awaited where they are made: Postgres executes a page's statements (on its own
  // core) while the next page is folded here. They run one after another (a pg client takes one
  // query at a time), so any other statement of the transaction waits for them first (drain).
  let writing: Promise<void> = Promise.resolve();
  let failed: unknown = null;

  /** Queues the statements, their JSON made now. */
  function write(trx: Knex.Transaction, entries: Held<S>[]) {
    const rows: Record<string, unknown>[] = [];
    for (const h of entries) {
      if (!h.dirty) continue;
      h.dirty = false;
      written.add(h.key);
      const columns = opts.columns(h.state);
      if (columns) rows.push({ tenant: h.tenant, id: h.id, ...columns, state: h.state, version: h.version });
    }
    for (let i = 0; i < rows.length; i += perStatement) {
      const statement = upsertStatement(opts.table, rows.slice(i, i + perStatement));
      writing = writing
        .then(() => (failed === null ? trx.raw(statement.sql, statement.bindings) : undefined))
        .then(
          () => {},
          (err: unknown) => {
            failed ??= err;
          },
        );
    }
  }

  /** Waits for every queued write; throws the first that failed. */
  async function drain() {
    await writing;
    if (failed !== null) throw failed;
  }

  return {
    async apply(trx, events) {
      // The previous page's writes stay in flight while this page is folded; waited for at the end.
      const previous = writing;
      const touched = new Set<Held<S>>();
      const missing = new Map<string, Held<S>>();
      // Each event's row, found once (its key is built once per event, not per step).
      const rowOf: Held<S>[] = new Array(events.length);
      for (const [i, e] of events.entries()) {
        const id = idOfStream(e.streamName);
        const key = `${e.metadata.tenant}\u0000${id}`;
        let h = held.get(key) ?? missing.get(key);
        if (!h) {
          h = { key, tenant: e.metadata.tenant, id, state: opts.decider.initialState(), version: 0, dirty: false };
          if (written.has(key)) missing.set(key, h);
          else held.set(key, h);
        }
        rowOf[i] = h;
        touched.add(h);
        h.dirty = true;
      }
      // Rows let go earlier and touched again: read back in one statement.
      if (missing.size > 0) {
        await drain();
        const keys = [...missing.values()];
        const existing = (
          await trx.raw(
            `select tenant, id, state, version from ?? where (tenant, id) in (select * from unnest(?::text[], ?::text[]))`,
            [opts.table, keys.map((g) => g.tenant), keys.map((g) => g.id)],
          )
        ).rows as { tenant: string; id: string; state: S; version: number }[];
        for (const r of existing)
          Object.assign(missing.get(`${r.tenant}\u0000${r.id}`)!, { state: r.state, version: r.version });
      }
      for (const [i, e] of events.entries()) {
        const h = rowOf[i]!;
        if (e.revision + 1 <= h.version) continue;
        h.state = opts.decider.evolve(h.state, { type: e.type, data: e.data } as E);
        h.version = e.revision + 1;
      }
      // Most recently changed last.
      for (const h of touched) {
        held.delete(h.key);
        held.set(h.key, h);
      }
      if (held.size > heldMax) {
        const out: Held<S>[] = [];
        for (const [key, h] of held) {
          if (held.size <= heldMax) break;
          out.push(h);
          held.delete(key);
        }
        write(trx, out);
      }
      // At most two pages of writes queued: memory stays bounded, and so does the wait at a commit.
      await previous;
      if (failed !== null) throw failed;
    },
    async flush(trx) {
      write(trx, [...held.values()]);
      await drain();
    },
    drain,
    async evict(trx, tenant, match) {
      const out = [...held.values()].filter((h) => h.tenant === tenant && match(h.state));
      write(trx, out);
      for (const h of out) held.delete(h.key);
      await drain(); // the caller's next statement on trx sees them
    },
  };
}

/**
 * Inserts or updates rows keyed by (tenant, id) in one statement with one JSON parameter: the
 * rows are unpacked by the table's own row type (jsonb_populate_recordset), so a batch of any
 * size is a single bind, and a jsonb column receives the nested object as it is.
 */
function upsertStatement(table: string, rows: Record<string, unknown>[]): { sql: string; bindings: Knex.RawBinding[] } {
  const columns = Object.keys(rows[0]!);
  const updated = columns.filter((c) => c !== 'tenant' && c !== 'id');
  const list = columns.map(() => '??').join(', ');
  return {
    sql: `insert into ?? (${list}) select ${list} from jsonb_populate_recordset(null::??, ?::jsonb)
     on conflict (tenant, id) do update set ${updated.map(() => '?? = excluded.??').join(', ')}`,
    bindings: [table, ...columns, ...columns, table, JSON.stringify(rows), ...updated.flatMap((c) => [c, c])],
  };
}

async function upsertRows(trx: Knex.Transaction, table: string, rows: Record<string, unknown>[]): Promise<void> {
  const { sql, bindings } = upsertStatement(table, rows);
  await trx.raw(sql, bindings);
}
