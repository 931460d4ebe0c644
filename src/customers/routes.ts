import { customerDecider } from '../../domain/customers/decider.ts';
import { customerStream, forgetCustomer, registerCustomer, updateCustomer } from './commands.ts';
import { viewFromState } from './view.ts';
import { forgetInDeliveries } from '../webhooks/forget.ts';
import { forgetIdempotencyRecords } from '../commands/idempotency-records.ts';
import { getCustomer, listCustomers } from './queries.ts';
import { entityEventsRoute } from '../audit/entity-events-route.ts';
import { getByIdRoute } from '../audit/get-by-id-route.ts';
import { commandContext } from '../http/command-context.ts';
import type { RouteDeps } from '../http/deps.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import {
  createCustomerBody,
  customerIdParams,
  customerList,
  customerSchema,
  listCustomersQuery,
  patchCustomerBody,
} from './schemas.ts';
import { ifMatch, respond } from '../http/respond.ts';

export function customerRoutes(deps: RouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/customers',
      operationId: 'createCustomer',
      summary: 'Create a customer (email unique per tenant, case-insensitive)',
      tag: 'Customers',
      scope: 'customers:write',
      body: createCustomerBody,
      responses: { 201: { description: 'Created', schema: customerSchema } },
      async handler({ ctx, body }) {
        const { customer, position } = await registerCustomer(deps, commandContext(ctx), {
          pii: { email: body.email, name: body.name, phone: body.phone ?? null, addresses: body.addresses ?? [] },
          externalId: body.externalId ?? null,
        });
        respond(ctx, 201, customer, { version: customer.version, position, location: `/v1/customers/${customer.id}` });
      },
    }),
    getByIdRoute(deps, {
      noun: 'customer',
      path: '/v1/customers/:id',
      operationId: 'getCustomer',
      summary: 'Get a customer (?asOf=<time> or ?version=<n>: as it was, folded from its events)',
      tag: 'Customers',
      scope: 'customers:read',
      params: customerIdParams,
      schema: customerSchema,
      read: (tenant, id) => getCustomer(deps.knex, tenant, id),
      stream: customerStream,
      decider: customerDecider,
      existed: (s): s is Extract<typeof s, { status: 'active' }> => s.status === 'active',
      view: viewFromState,
    }),
    defineRoute({
      method: 'PATCH',
      path: '/v1/customers/:id',
      operationId: 'updateCustomer',
      summary: 'Change name, phone, email or addresses (If-Match for optimistic concurrency)',
      tag: 'Customers',
      scope: 'customers:write',
      params: customerIdParams,
      body: patchCustomerBody,
      responses: { 200: { description: 'The updated customer', schema: customerSchema } },
      async handler({ ctx, params, body }) {
        const { customer, position } = await updateCustomer(deps, commandContext(ctx), {
          customerId: params.id,
          changes: body,
          ...ifMatch(ctx),
        });
        respond(ctx, 200, customer, { version: customer.version, position });
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/customers/:id/personal-data',
      operationId: 'forgetCustomerPersonalData',
      summary:
        "Forget the customer's personal data (crypto-shredding): their data key is destroyed, so name, email, phone and addresses, on the customer and their orders, read back as redacted everywhere; the history stays replayable. Idempotent.",
      tag: 'Customers',
      scope: 'customers:write',
      params: customerIdParams,
      responses: { 200: { description: 'The customer, redacted', schema: customerSchema } },
      async handler({ ctx, params }) {
        const { customer, position } = await forgetCustomer(deps, commandContext(ctx), { customerId: params.id });
        // After the key is gone, so a retry of this request finishes the job.
        await forgetInDeliveries(deps.knex, deps.store, ctx.state.principal!.tenant, params.id);
        await forgetIdempotencyRecords(deps.knex, ctx.state.principal!.tenant, params.id);
        respond(ctx, 200, customer, { version: customer.version, position });
      },
    }),
    entityEventsRoute(deps, {
      noun: 'customer',
      path: '/v1/customers/:id/events',
      operationId: 'getCustomerEvents',
      tag: 'Customers',
      scope: 'customers:read',
      params: customerIdParams,
      stream: customerStream,
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/customers',
      operationId: 'listCustomers',
      summary: 'List customers, newest first; filter by email (case-insensitive)',
      tag: 'Customers',
      scope: 'customers:read',
      query: listCustomersQuery,
      responses: { 200: { description: 'A page of customers', schema: customerList } },
      async handler({ ctx, query }) {
        respond(ctx, 200, await listCustomers(deps.knex, ctx.state.principal!.tenant, query));
      },
    }),
  ];
}
