import type { Logger } from '../observability/logger.ts';
import type { Principal } from '../auth/principal.ts';
import type { IdempotencyScope } from '../commands/context.ts';

/** What middleware leaves on ctx.state for the handlers after it. */
export interface AppState {
  requestId: string;
  log: Logger;
  /** Set by the auth middleware on every /v1 route. */
  principal?: Principal;
  /** Parsed JSON body and its raw text (the idempotency fingerprint needs the text). */
  body?: unknown;
  rawBody?: string;
  /** Route template for metrics, e.g. /v1/customers/:id. */
  routeName?: string;
  /** Set by the idempotency middleware when the request has an Idempotency-Key. */
  idempotency?: IdempotencyScope;
  /** Set by the Oms-Min-Position middleware on a `minPosition: 'fold'` route whose position the read models have not reached. */
  readModelsBehind?: boolean;
}
