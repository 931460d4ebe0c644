import type { Decider, DomainEvent } from '../../domain/shared/decider.ts';
import type { Scope } from '../auth/principal.ts';
import type { RouteDeps } from '../http/deps.ts';
import { type NotFoundNoun, notFound } from '../http/problem.ts';
import { defineRoute, type JsonSchema, type RouteDef } from '../http/route.ts';
import type { IdParams } from '../http/schemas.ts';
import { asOfQuery } from './schemas.ts';
import { foldAsOf, wantsPast } from './time-travel.ts';
import { foldRecorded } from '../commands/load.ts';
import { respond } from '../http/respond.ts';
import type { ReadModelAnswer } from '../queries/stale.ts';
import { READ_SOURCE_HEADER } from '../http/read-source.ts';

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
  /** Now: the read model's view and whether its row is stale, or null when there is none (yet). */
  read(tenant: string, id: string): Promise<ReadModelAnswer<View> | null>;
  // As it was (?asOf / ?version), or now when the read model has not caught up: the entity's
  // stream folded with its decider. The stream name carries the tenant.
  stream(tenant: string, id: string): string;
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>;
  /** The entity existed in this state (else 404: it did not exist yet at that point). */
  existed(state: S): state is Existing;
  view(state: Existing, version: number): View;
}

/**
 * `GET /v1/<entities>/:id`: the read model's view, or with ?asOf=<time> / ?version=<n> the
 * entity as it was, folded from its events. Read-your-writes by default: when the read model has
 * no row (yet), has not reached the caller's Oms-Min-Position, or its row is stale (an event of the
 * entity is parked), the whole stream is folded instead (the fold is always right), so a GET right
 * after a 201 never answers 404 and a parked event never shows as missing. 404 only when the stream
 * holds no such entity; the ETag is the version of what is answered, Oms-Read-Source says where
 * it came from.
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
    minPosition: 'fold',
    responses: { 200: { description: `The ${def.noun}`, schema: def.schema } },
    async handler({ ctx, params, query }) {
      const tenant = ctx.state.principal!.tenant;
      const what = `${def.noun} ${params.id}`;
      let view: View;
      let source: 'read-model' | 'stream' = 'stream';
      if (wantsPast(query)) {
        const past = await foldAsOf(deps.store, def.stream(tenant, params.id), query, def.decider, def.existed, {
          noun: def.noun,
          text: what,
        });
        view = def.view(past.state, past.version);
      } else {
        const current = ctx.state.readModelsBehind ? null : await def.read(tenant, params.id);
        if (current && !current.stale) {
          view = current.view;
          source = 'read-model';
        } else view = await foldNow(deps, def, tenant, params.id, what);
      }
      ctx.set(READ_SOURCE_HEADER, source);
      respond(ctx, 200, view, { version: view.version });
    },
  });
}

/** The entity now, folded from its whole stream; 404 when the stream holds no such entity. */
async function foldNow<E extends DomainEvent, S, Existing extends S, View extends { version: number }>(
  deps: RouteDeps,
  def: GetByIdDef<E, S, Existing, View>,
  tenant: string,
  id: string,
  what: string,
): Promise<View> {
  const events = await deps.store.readStream(def.stream(tenant, id));
  const state = foldRecorded(def.decider, events);
  if (!def.existed(state)) throw notFound(def.noun, what);
  return def.view(state, events.length);
}
