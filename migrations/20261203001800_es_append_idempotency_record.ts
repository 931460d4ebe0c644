import type { Knex } from 'knex';

// es_append_keyed: es_append plus an Idempotency-Key's record, in one statement and so in one
// transaction: a request's events and the claim of its key are committed together (one WAL flush
// per accepted command instead of three: claim, append, response). The key is inserted first; a
// key already recorded is a unique violation (idempotency_keys_pkey) and nothing is written. The
// record starts `running` with a lease; the HTTP layer stores the response in it afterwards.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
create or replace function es_append_keyed(p_stream text, p_expected_kind text, p_expected bigint, p_events jsonb,
                                           p_tenant text, p_key text, p_fingerprint text, p_since_ms bigint,
                                           p_lease_seconds int)
returns table (next_revision bigint, tx xid8, pos bigint)
language plpgsql as $$
begin
  insert into idempotency_keys (tenant, key, fingerprint, state, locked_until, created_at)
  values (p_tenant, p_key, p_fingerprint, 'running', now() + make_interval(secs => p_lease_seconds),
          to_timestamp(p_since_ms / 1000.0));
  return query select * from es_append(p_stream, p_expected_kind, p_expected, p_events);
end $$;
`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists es_append_keyed(text, text, bigint, jsonb, text, text, text, bigint, int)');
}
