import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { DomainError } from '../../domain/shared/errors.ts';
import { newId } from '../ids.ts';
import type { CreateEndpointBody } from './schemas.ts';
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

export async function listEndpoints(knex: Knex, tenant: string) {
  const rows = (await knex('webhook_endpoints')
    .where({ tenant })
    .whereNull('deleted_at')
    .orderBy('created_at', 'desc')) as EndpointRow[];
  return rows.map(endpointView);
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
