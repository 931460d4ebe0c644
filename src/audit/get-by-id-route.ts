import type { Decider, DomainEvent } from '../../domain/shared/decider.ts';
import type { Scope } from '../auth/principal.ts';
import type { RouteDeps } from '../http/deps.ts';
import { type NotFoundNoun, notFound } from '../http/problem.ts';
import { defineRoute, type JsonSchema, type RouteDef } from '../http/route.ts';
import type { IdParams } from '../http/schemas.ts';
import { asOfQuery } from './schemas.ts';
import { foldAsOf, wantsPast } from './time-travel.ts';
import { respond } from '../http/respond.ts';

interface GetByIdDef<E extends DomainEvent, S, Existing extends S, View extends { version: number }> {
  /** e.g. 'order': used in the response description and the 404 detail. */
  noun: NotFoundNoun;
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  scope: Scope;
  params: IdParams;
  /** The 200 response body. */
  schema: JsonSchema;
  /** Now: the read model's view, or null when there is none. */
  read(tenant: string, id: string): Promise<View | null>;
  // As it was (?asOf / ?version): the entity's stream folded with its decider.
  stream(tenant: string, id: string): string;
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>;
  /** The entity existed in this state (else 404: it did not exist yet at that point). */
  existed(state: S): state is Existing;
  view(state: Existing, version: number): View;
}

/**
 * `GET /v1/<entities>/:id`: the read model's view, or with ?asOf=<time> / ?version=<n> the
 * entity as it was, folded from its events. 404 when there is none; the ETag is its version.
 */
export function getByIdRoute<E extends DomainEvent, S, Existing extends S, View extends { version: number }>(
  deps: RouteDeps,
  def: GetByIdDef<E, S, Existing, View>,
): RouteDef {
  return defineRoute({
    method: 'GET',
    path: def.path,
    operationId: def.operationId,
    summary: def.summary,
    tag: def.tag,
    scope: def.scope,
    params: def.params,
    query: asOfQuery,
    responses: { 200: { description: `The ${def.noun}`, schema: def.schema } },
    async handler({ ctx, params, query }) {
      const tenant = ctx.state.principal!.tenant;
      const what = `${def.noun} ${params.id}`;
      let view: View;
      if (wantsPast(query)) {
        const past = await foldAsOf(deps.store, def.stream(tenant, params.id), query, def.decider, def.existed, {
          noun: def.noun,
          text: what,
        });
        view = def.view(past.state, past.version);
      } else {
        const current = await def.read(tenant, params.id);
        if (!current) throw notFound(def.noun, what);
        view = current;
      }
      respond(ctx, 200, view, { version: view.version });
    },
  });
}
