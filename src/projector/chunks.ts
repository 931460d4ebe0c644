/**
 * Splits rows for multi-row INSERTs so one statement stays under Postgres' 65,535 bind
 * parameters (rows × columns), whatever the batch size.
 */
export function chunksForInsert<T extends object>(rows: readonly T[], maxParams = 30_000): T[][] {
  if (rows.length === 0) return [];
  const columns = Math.max(1, Object.keys(rows[0]!).length);
  const size = Math.max(1, Math.floor(maxParams / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
