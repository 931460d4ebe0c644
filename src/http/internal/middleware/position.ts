import type { Middleware } from 'koa';
import { comparePositions, parsePosition } from '../../../eventstore/port.ts';
import { HttpProblem } from '../../problem.ts';
import type { AppState } from '../../state.ts';
import type { ReadModelPosition } from '../read-model-position.ts';

const MAX_WAIT_MS = 5000;

/**
 * Read-your-writes: a GET with Oms-Min-Position waits (up to 5 s) until every read-model
 * projection has applied the log up to that position, else 503 + Retry-After. In 'fold' mode
 * (GET by id: the handler can fold the entity's stream, which is always current) it does not
 * wait: when the position is not reached it sets ctx.state.readModelsBehind and goes on at once.
 * Waiting requests share one poll loop (ReadModelPosition), whatever their number.
 */
export function minPosition(readModels: ReadModelPosition, mode: 'wait' | 'fold' = 'wait'): Middleware<AppState> {
  return async (ctx, next) => {
    const header = ctx.get('Oms-Min-Position');
    if (!header) return next();
    const position = parsePosition(header);
    if (!position) {
      throw new HttpProblem(400, 'validation_failed', 'Oms-Min-Position must be a position token from Oms-Position', {
        errors: [{ path: 'header:Oms-Min-Position', message: 'is not a position token' }],
      });
    }
    if (mode === 'fold') {
      const at = await readModels.current();
      if (!at || comparePositions(at, position) < 0) ctx.state.readModelsBehind = true;
      return next();
    }
    if (await readModels.reached(position, MAX_WAIT_MS)) return next();
    throw new HttpProblem(
      503,
      'position_not_reached',
      'the read models have not reached that position yet; retry shortly',
      {
        headers: { 'Retry-After': '1' },
      },
    );
  };
}
