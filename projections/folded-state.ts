import type { Knex } from 'knex';
import type { Decider, DomainEvent } from '../domain/shared/decider.ts';
import { idOfStream, type RecordedEvent } from '../src/eventstore/port.ts';
import type { Projection } from '../src/projector/projection.ts';

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
}): Projection {
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
  };
}

/**
 * Inserts or updates rows keyed by (tenant, id) in one statement with one JSON parameter: the
 * rows are unpacked by the table's own row type (jsonb_populate_recordset), so a batch of any
 * size is a single bind, and a jsonb column receives the nested object as it is.
 */
async function upsertRows(trx: Knex.Transaction, table: string, rows: Record<string, unknown>[]): Promise<void> {
  const columns = Object.keys(rows[0]!);
  const updated = columns.filter((c) => c !== 'tenant' && c !== 'id');
  const list = columns.map(() => '??').join(', ');
  await trx.raw(
    `insert into ?? (${list}) select ${list} from jsonb_populate_recordset(null::??, ?::jsonb)
     on conflict (tenant, id) do update set ${updated.map(() => '?? = excluded.??').join(', ')}`,
    [table, ...columns, ...columns, table, JSON.stringify(rows), ...updated.flatMap((c) => [c, c])],
  );
}
