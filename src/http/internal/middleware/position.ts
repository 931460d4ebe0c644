import type { Middleware } from 'koa';
import type pg from 'pg';
import { parsePosition } from '../../../eventstore/port.ts';
import { HttpProblem } from '../../problem.ts';
import type { AppState } from '../../state.ts';

const MAX_WAIT_MS = 5000;
const POLL_MS = 10;

/**
 * Read-your-writes: a GET with Oms-Min-Position waits (up to 5 s) until every read-model
 * projection has applied the log up to that position, else 503 + Retry-After. In 'fold' mode
 * (GET by id: the handler can fold the entity's stream, which is always current) it does not
 * wait: when the position is not reached it sets ctx.state.readModelsBehind and goes on at once.
 */
export function minPosition(
  pool: pg.Pool,
  projectionNames: () => readonly string[],
  mode: 'wait' | 'fold' = 'wait',
): Middleware<AppState> {
  return async (ctx, next) => {
    const header = ctx.get('Oms-Min-Position');
    if (!header) return next();
    const position = parsePosition(header);
    if (!position) {
      throw new HttpProblem(400, 'validation_failed', 'Oms-Min-Position must be a position token from Oms-Position', {
        errors: [{ path: 'header:Oms-Min-Position', message: 'is not a position token' }],
      });
    }
    const names = projectionNames();
    const deadline = Date.now() + MAX_WAIT_MS;
    for (;;) {
      const res = await pool.query<{ reached: string }>({
        name: 'oms_min_position',
        text: `select count(*) as reached from projection_checkpoints
                where name = any($1) and (position_commit, position_prepare) >= ($2::numeric, $3::numeric)`,
        values: [names, position.commit.toString(), position.prepare.toString()],
      });
      if (Number(res.rows[0]!.reached) >= names.length) return next();
      if (mode === 'fold') {
        ctx.state.readModelsBehind = true;
        return next();
      }
      if (Date.now() >= deadline) {
        throw new HttpProblem(
          503,
          'position_not_reached',
          'the read models have not reached that position yet; retry shortly',
          {
            headers: { 'Retry-After': '1' },
          },
        );
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
}
