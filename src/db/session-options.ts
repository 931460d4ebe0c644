/**
 * Session settings of every pooled connection of ours (pg pools and knex), passed at connect:
 * - idle_in_transaction_session_timeout: an idle transaction must not hold back the log horizon
 *   (and with it every event-log reader) for long;
 * - statement_timeout: no statement of a request or a batch runs for more than 30 s;
 * - jit off: our statements are short index lookups, but Postgres compiles any statement whose
 *   estimated cost passes jit_above_cost (100,000 by default), and estimates are high where a table
 *   has no statistics yet. A read of 15 order streams was estimated at about 6,000 per stream on an
 *   unanalyzed log: each batch of the allocator above 16 orders paid a compilation of 200–400 ms
 *   for a read that takes 3 ms.
 */
export const SESSION_OPTIONS = '-c idle_in_transaction_session_timeout=10000 -c statement_timeout=30000 -c jit=off';
