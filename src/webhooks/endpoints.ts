import type { Knex } from 'knex';
import { DomainError } from '../../domain/shared/errors.ts';
import { newId } from '../ids.ts';
import { CURSOR_AT, decodeCursor, page } from '../queries/pagination.ts';
import type { CreateEndpointBody, EndpointListQuery } from './schemas.ts';
import type { MasterKeys } from '../pii/keys.ts';
import type { AddressPolicy } from './address-policy.ts';
import { type Resolve, systemResolve } from './resolve.ts';
import { sealSecret } from './secret-box.ts';
import { newSigningSecret } from './secrets.ts';
import { checkWebhookUrl } from './url-guard.ts';

export interface EndpointRow {
  tenant: string;
  id: string;
  url: string;
  events: string[];
  /** Plaintext only in rows older than sealed secrets (see secrets.ts); read it with `endpointSecret`. */
  secret: string | null;
  secret_sealed: Buffer | null;
  secret_key_id: string | null;
  description: string | null;
  created_at: Date;
  deleted_at: Date | null;
}

export const endpointView = (r: EndpointRow) => ({
  id: r.id,
  url: r.url,
  events: r.events,
  description: r.description,
  createdAt: r.created_at.toISOString(),
  ...(r.deleted_at ? { deletedAt: r.deleted_at.toISOString() } : {}),
});

const urlNotAllowed = (reason: string) =>
  new DomainError('webhook_url_not_allowed', `this webhook URL is not allowed: ${reason}`, 'unprocessable');

const urlUnresolvable = (host: string) =>
  new DomainError(
    'webhook_url_unresolvable',
    `the host ${host} of this webhook URL does not resolve`,
    'unprocessable',
    {
      host,
    },
  );

export async function createEndpoint(
  knex: Knex,
  tenant: string,
  input: CreateEndpointBody,
  policy: AddressPolicy,
  masters: MasterKeys,
  resolve: Resolve = systemResolve,
) {
  const check = await checkWebhookUrl(input.url, policy, resolve);
  if (!check.ok) throw check.refusal === 'unresolvable' ? urlUnresolvable(check.host) : urlNotAllowed(check.reason);
  // The secret is shown once, in this response; deliveries are signed with it. It is stored sealed.
  const secret = newSigningSecret();
  const id = newId('whk');
  const [row] = (await knex('webhook_endpoints')
    .insert({
      tenant,
      id,
      url: input.url,
      events: [...new Set(input.events)],
      ...sealSecret(masters.current, tenant, id, secret),
      description: input.description ?? null,
    })
    .returning('*')) as EndpointRow[];
  return { ...endpointView(row!), secret };
}

/** A live endpoint of the tenant; with `includeDeleted`, a deleted one too (its delivery log stays readable). */
export async function getEndpoint(
  knex: Knex,
  tenant: string,
  id: string,
  { includeDeleted = false } = {},
): Promise<EndpointRow | undefined> {
  const query = knex('webhook_endpoints').where({ tenant, id });
  if (!includeDeleted) query.whereNull('deleted_at');
  return (await query.first()) as EndpointRow | undefined;
}

/** Newest first (creation time, then id), keyset-paged; deleted endpoints only with `includeDeleted`. */
export async function listEndpoints(knex: Knex, tenant: string, q: EndpointListQuery) {
  const cursor = decodeCursor(q.cursor);
  const query = knex('webhook_endpoints')
    .select('*', knex.raw(`${CURSOR_AT('created_at')} as cursor_at`))
    .where({ tenant });
  if (!q.includeDeleted) query.whereNull('deleted_at');
  if (cursor) query.andWhereRaw('(created_at, id) < (?::timestamptz, ?)', [cursor.createdAt, cursor.id]);
  const rows = (await query
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(q.limit + 1)) as (EndpointRow & { cursor_at: string })[];
  const p = page(rows, q.limit, (r) => ({ createdAt: r.cursor_at, id: r.id }));
  return { data: p.data.map(endpointView), nextCursor: p.nextCursor };
}

/**
 * A soft delete: the row stays so the delivery log stays readable. Nothing is sent to it any more:
 * no new deliveries (see `subscribers`), and its pending deliveries end as failed here (a queued
 * retry then finds the endpoint deleted and stops without sending).
 */
export async function deleteEndpoint(knex: Knex, tenant: string, id: string): Promise<boolean> {
  return knex.transaction(async (trx) => {
    const deleted = await trx('webhook_endpoints')
      .where({ tenant, id })
      .whereNull('deleted_at')
      .update({ deleted_at: trx.fn.now() });
    if (deleted !== 1) return false;
    await trx('webhook_deliveries')
      .where({ tenant, endpoint_id: id, status: 'pending' })
      .update({ status: 'failed', last_error: ENDPOINT_DELETED, updated_at: trx.fn.now() });
    return true;
  });
}

export const ENDPOINT_DELETED = 'endpoint deleted';

/** Active endpoints of a tenant subscribed to a public event type. */
export async function subscribers(knex: Knex, tenant: string, type: string): Promise<EndpointRow[]> {
  return (await knex('webhook_endpoints')
    .where({ tenant })
    .whereNull('deleted_at')
    .andWhereRaw('(? = any(events) or ? = any(events))', [type, '*'])) as EndpointRow[];
}
