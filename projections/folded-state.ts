import type { Knex } from 'knex';
import type { Decider, DomainEvent } from '../domain/shared/decider.ts';
import { idOfStream, type RecordedEvent } from '../src/eventstore/port.ts';
import { chunksForInsert } from '../src/projector/chunks.ts';
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
      const existing = (await trx(opts.table)
        .select('tenant', 'id', 'state', 'version')
        .whereIn(['tenant', 'id'], [...groups.values()].map((g) => [g.tenant, g.id]))) as { tenant: string; id: string; state: S; version: number }[];
      const current = new Map(existing.map((r) => [`${r.tenant}\u0000${r.id}`, r]));
      const rows = [];
      for (const [key, g] of groups) {
        let state = current.get(key)?.state ?? opts.decider.initialState();
        let version = current.get(key)?.version ?? 0;
        for (const e of g.events) {
          if (e.revision + 1 <= version) continue;
          state = opts.decider.evolve(state, { type: e.type, data: e.data } as E);
          version = e.revision + 1;
        }
        const columns = opts.columns(state);
        if (columns) rows.push({ tenant: g.tenant, id: g.id, ...columns, state: JSON.stringify(state), version });
      }
      for (const chunk of chunksForInsert(rows)) await trx(opts.table).insert(chunk).onConflict(['tenant', 'id']).merge();
    },
  };
}
