import type { Knex } from 'knex';
import type pg from 'pg';

/**
 * Counts the queries a real pool runs whose text matches `pattern` (it still runs them all): how
 * tests bound the database work a request pattern costs. restore() puts the pool back as it was.
 */
export function countQueries(pool: pg.Pool, pattern: RegExp): { count: () => number; restore: () => void } {
  const original = pool.query;
  let n = 0;
  const counting = function (this: pg.Pool, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : (first?.text ?? '');
    if (pattern.test(text)) n++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  pool.query = counting as typeof pool.query;
  return {
    count: () => n,
    restore: () => {
      pool.query = original;
    },
  };
}

/** The statements knex sends while `work` runs (begin and commit included), and what `work` returned. */
export async function knexStatementsDuring<T>(
  knex: Knex,
  work: () => Promise<T>,
): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const note = (q: { sql: string }) => statements.push(q.sql);
  knex.on('query', note);
  try {
    return { result: await work(), statements };
  } finally {
    knex.off('query', note);
  }
}
