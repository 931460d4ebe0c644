import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { ParameterizedContext } from 'koa';
import type { Scope } from '../auth/principal.ts';
import type { AppState } from './state.ts';

export type JsonSchema = Record<string, unknown>;
type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** An object schema written `as const`: its literal type is what the request types are derived from. */
export type ObjectSchema = Exclude<JSONSchema, boolean>;

// What the router hands a handler, typed from the very schemas ajv enforces (json-schema-to-ts;
// see ./internal/validation.ts for the two ajv configurations): a body is validated as sent (no
// coercion, no defaults filled in); query and path parameters are coerced (numbers and booleans
// arrive typed) and defaults are filled in, so a defaulted query parameter is always present.

/** The body a handler receives for a body schema; `unknown` when the route takes none (or a form body). */
export type BodyOf<S> = [S] extends [ObjectSchema] ? FromSchema<S, { keepDefaultedPropertiesOptional: true }> : unknown;
/** The query a handler receives; without a schema only an empty query passes validation. */
export type QueryOf<S> = [S] extends [ObjectSchema] ? FromSchema<S> : Record<string, never>;
/** The path parameters a handler receives; without a schema they arrive unvalidated, as strings. */
type ParamsOf<S> = [S] extends [ObjectSchema] ? FromSchema<S> : Record<string, string>;

interface RouteContext<B = unknown, Q = Record<string, unknown>, P = Record<string, string>> {
  ctx: ParameterizedContext<AppState>;
  body: B;
  query: Q;
  params: P;
}

interface RouteInfo {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /**
   * Required scope; 'authenticated' for routes any valid credential may call whatever its scopes
   * (e.g. GET /v1/me); null for unauthenticated routes.
   */
  scope: Scope | 'authenticated' | null;
  /**
   * The body is application/x-www-form-urlencoded (OAuth's token endpoint) and arrives as
   * URLSearchParams; this schema is only published in /openapi.json, the handler checks it.
   */
  formBody?: JsonSchema;
  /**
   * GET: what `Oms-Min-Position` does when the read models have not reached that position yet.
   * 'wait' (the default): wait up to 5 s, then 503. 'fold': go on at once with
   * `ctx.state.readModelsBehind` set, for handlers that can answer from the event log instead.
   */
  minPosition?: 'wait' | 'fold';
  /**
   * POST: a new Idempotency-Key is recorded by the request's first append, in its transaction,
   * instead of being claimed before the handler runs (see middleware/idempotency.ts). Only for
   * handlers whose first write is a command's append (handleCommand).
   */
  idempotencyInAppend?: boolean;
  /**
   * Every response with a body has its schema (published in /openapi.json); only a response
   * without a body (204) has none. Errors (4xx/5xx) without a schema are problem+json.
   */
  responses: Record<number, { description: string; schema?: JsonSchema; contentType?: string; headers?: string[] }>;
}

/**
 * One HTTP operation: its schemas are what ajv enforces AND what /openapi.json publishes,
 * so the two cannot drift apart.
 */
export interface RouteDef extends RouteInfo {
  params?: JsonSchema;
  query?: JsonSchema;
  body?: JsonSchema;
  handler(rc: RouteContext): Promise<void>;
}

/** What a route is written as: the handler's body, query and params are typed from the schemas given. */
interface RouteSpec<
  P extends ObjectSchema | undefined,
  Q extends ObjectSchema | undefined,
  B extends ObjectSchema | undefined,
> extends RouteInfo {
  params?: P;
  query?: Q;
  body?: B;
  handler(rc: RouteContext<BodyOf<B>, QueryOf<Q>, ParamsOf<P>>): Promise<void>;
}

export function defineRoute<
  const P extends ObjectSchema | undefined = undefined,
  const Q extends ObjectSchema | undefined = undefined,
  const B extends ObjectSchema | undefined = undefined,
>(spec: RouteSpec<P, Q, B>): RouteDef {
  // The router validates params, query and body against these very schemas before it calls the
  // handler, so the handler's narrower argument types hold at run time.
  return spec as unknown as RouteDef;
}
