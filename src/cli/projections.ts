import { loadConfig } from '../config.ts';
import { formatPosition } from '../eventstore/port.ts';
import { createLogger } from '../observability/logger.ts';
import { readCheckpoint } from '../projector/checkpoints.ts';
import { Runtime } from '../runtime.ts';

const LAG_CAP = 100_000;

/** `oms projections status`: position, events behind the log head, last update, per projection. */
export async function projectionsStatus(opts: { json?: boolean }): Promise<void> {
  const runtime = await Runtime.create(loadConfig(), { logger: createLogger('silent') });
  try {
    await runtime.migrate();
    const head = await runtime.store.headPosition();
    const rows = [];
    for (const p of runtime.allProjections()) {
      const cp = await readCheckpoint(runtime.knex, p.name);
      const behind = (await runtime.store.readAll({ after: cp?.position ?? null, maxCount: LAG_CAP + 1 })).length;
      rows.push({
        name: p.name,
        position: cp?.position ? formatPosition(cp.position) : null,
        lagEvents: behind > LAG_CAP ? `>${LAG_CAP}` : behind,
        eventsProcessed: cp?.eventsProcessed ?? 0,
        updatedAt: cp?.updatedAt.toISOString() ?? null,
      });
    }
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ head: head ? formatPosition(head) : null, projections: rows })}\n`);
      return;
    }
    process.stdout.write(`log head: ${head ? formatPosition(head) : '(empty)'}\n`);
    process.stdout.write(`${'projection'.padEnd(20)} ${'position'.padEnd(24)} ${'lag'.padStart(8)} ${'processed'.padStart(10)}  updated\n`);
    for (const r of rows) {
      process.stdout.write(
        `${r.name.padEnd(20)} ${String(r.position ?? '-').padEnd(24)} ${String(r.lagEvents).padStart(8)} ${String(r.eventsProcessed).padStart(10)}  ${r.updatedAt ?? '-'}\n`,
      );
    }
  } finally {
    await runtime.stop();
  }
}
