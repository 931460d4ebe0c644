// A read-model row is stale while an event of its entity's stream is parked for the projection that
// builds it: src/projector/parking.ts writes a stale_entities row when it parks, retry-parked deletes
// it once the event applies. The check is an `exists` selected beside the row itself (no extra round
// trip), one probe of stale_entities' primary key (projection, stream_name, parked_event_id).

/** A read model's answer for one entity: its view, and whether the row misses a parked event. */
export interface ReadModelAnswer<View> {
  view: View;
  stale: boolean;
}

/**
 * SQL (knex `?` placeholders) for a boolean column `stale`: is `streamName` (bound) marked stale for
 * `projection` (bound)? Select it beside the row: `select ..., <this> from <table> where ...`.
 */
export const STALE_COLUMN_SQL =
  'exists(select 1 from stale_entities where projection = ? and stream_name = ?) as stale';
