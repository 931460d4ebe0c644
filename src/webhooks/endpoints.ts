import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { DomainError } from '../../domain/shared/errors.ts';
import { newId } from '../ids.ts';
import { CURSOR_AT, decodeCursor, page } from '../queries/pagination.ts';
import type { CreateEndpointBody, WebhookListQuery } from './schemas.ts';
import { checkWebhookUrl } from './url-guard.ts';

export interface EndpointRow {
  tenant: string;
  id: string;
  url: string;
  events: string[];
  secret: string;
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
});

const urlNotAllowed = (reason: string) =>
  new DomainError('webhook_url_not_allowed', `this webhook URL is not allowed: ${reason}`, 'unprocessable');

export async function createEndpoint(knex: Knex, tenant: string, input: CreateEndpointBody, allowPrivate: boolean) {
  const check = await checkWebhookUrl(input.url, allowPrivate);
  if (!check.ok) throw urlNotAllowed(check.reason);
  // The secret is shown once, in this response; deliveries are signed with it.
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const [row] = (await knex('webhook_endpoints')
    .insert({
      tenant,
      id: newId('whk'),
      url: input.url,
      events: [...new Set(input.events)],
      secret,
      description: input.description ?? null,
    })
    .returning('*')) as EndpointRow[];
  return { ...endpointView(row!), secret };
}

export async function getEndpoint(knex: Knex, tenant: string, id: string): Promise<EndpointRow | undefined> {
  return (await knex('webhook_endpoints').where({ tenant, id }).whereNull('deleted_at').first()) as
    | EndpointRow
    | undefined;
}

/** Newest first (creation time, then id), keyset-paged. */
export async function listEndpoints(knex: Knex, tenant: string, q: WebhookListQuery) {
  const cursor = decodeCursor(q.cursor);
  const query = knex('webhook_endpoints')
    .select('*', knex.raw(`${CURSOR_AT('created_at')} as cursor_at`))
    .where({ tenant })
    .whereNull('deleted_at');
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

export async function deleteEndpoint(knex: Knex, tenant: string, id: string): Promise<boolean> {
  return (
    (await knex('webhook_endpoints')
      .where({ tenant, id })
      .whereNull('deleted_at')
      .update({ deleted_at: knex.fn.now() })) === 1
  );
}

/** Active endpoints of a tenant subscribed to a public event type. */
export async function subscribers(knex: Knex, tenant: string, type: string): Promise<EndpointRow[]> {
  return (await knex('webhook_endpoints')
    .where({ tenant })
    .whereNull('deleted_at')
    .andWhereRaw('(? = any(events) or ? = any(events))', [type, '*'])) as EndpointRow[];
}
