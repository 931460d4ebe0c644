import type pg from 'pg';

/** The Postgres server settings the service depends on without being able to set them itself. */
export interface ServerSettings {
  autovacuum: string;
  trackCounts: string;
}

export async function readServerSettings(pool: pg.Pool): Promise<ServerSettings> {
  const { rows } = await pool.query<{ autovacuum: string; track_counts: string }>(
    `select current_setting('autovacuum') as autovacuum, current_setting('track_counts') as track_counts`,
  );
  return { autovacuum: rows[0]!.autovacuum, trackCounts: rows[0]!.track_counts };
}

/**
 * What an operator should hear about at start. Without autovacuum (or the statistics it works
 * from) no table is ever analyzed or vacuumed: the planner guesses the size of every table, a
 * guess that can turn an index lookup into a scan of the whole event log, and the work queues and
 * read models, updated and deleted all day, keep every dead row.
 */
export function serverSettingWarnings(s: ServerSettings): string[] {
  const warnings: string[] = [];
  if (s.autovacuum !== 'on' || s.trackCounts !== 'on')
    warnings.push(
      'Postgres autovacuum is off (or track_counts is): tables are never analyzed or vacuumed, so query plans rest on guesses and dead rows pile up. Turn it on, or run VACUUM ANALYZE regularly (docs/operations.md, "Postgres settings")',
    );
  return warnings;
}
