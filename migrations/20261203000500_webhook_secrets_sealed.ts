import type { Knex } from 'knex';

// Webhook signing secrets are kept sealed (AES-256-GCM under a key derived from the master key,
// see src/webhooks/secret-box.ts). A migration has no master key: the rows still in plaintext are
// sealed right after migrating, by `sealWebhookSecrets` (run by `oms migrate`, `oms start` and
// every runtime), which also empties `secret`. Until then a plaintext secret still signs.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table webhook_endpoints
      alter column secret drop not null,
      add column secret_sealed bytea,
      add column secret_key_id text,
      add constraint webhook_endpoints_secret_kept check (secret is not null or (secret_sealed is not null and secret_key_id is not null))
  `);
}

export async function down(knex: Knex): Promise<void> {
  // Going back needs the plaintext, which only the running service can open: refuse while any row is sealed only.
  const sealedOnly = await knex('webhook_endpoints').whereNull('secret').count<{ count: string }[]>({ count: '*' });
  if (Number(sealedOnly[0]!.count) > 0) throw new Error('webhook secrets are sealed: cannot migrate down without them');
  await knex.raw(`
    alter table webhook_endpoints
      drop constraint webhook_endpoints_secret_kept,
      drop column secret_key_id,
      drop column secret_sealed,
      alter column secret set not null
  `);
}
