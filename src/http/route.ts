import type { ParameterizedContext } from 'koa';
import type { Scope } from '../auth/principal.ts';
import type { AppState } from './state.ts';

export type JsonSchema = Record<string, unknown>;
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteContext<B = unknown, Q = Record<string, unknown>, P = Record<string, string>> {
  ctx: ParameterizedContext<AppState>;
  body: B;
  query: Q;
  params: P;
}

/**
 * One HTTP operation: its schemas are what ajv enforces AND what /openapi.json publishes,
 * so the two cannot drift apart.
 */
export interface RouteDef<B = any, Q = any, P = any> {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Required scope; null for unauthenticated routes. */
  scope: Scope | null;
  params?: JsonSchema;
  query?: JsonSchema;
  body?: JsonSchema;
  /**
   * The body is application/x-www-form-urlencoded (OAuth's token endpoint) and arrives as
   * URLSearchParams; this schema is only published in /openapi.json, the handler checks it.
   */
  formBody?: JsonSchema;
  responses: Record<number, { description: string; schema?: JsonSchema; headers?: string[] }>;
  handler(rc: RouteContext<B, Q, P>): Promise<void>;
}

export function defineRoute<B = unknown, Q = Record<string, unknown>, P = Record<string, string>>(
  def: RouteDef<B, Q, P>,
): RouteDef<B, Q, P> {
  return def;
}
