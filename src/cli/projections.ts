import cliProgress from 'cli-progress';
import { loadConfig } from '../config/config.ts';
import { formatPosition } from '../eventstore/port.ts';
import { createLogger } from '../observability/logger.ts';
import { projectionLags } from '../projector/lag.ts';
import { listParked, retryParked, type RetryResult } from '../projector/parking.ts';
import type { Projection } from '../projector/projection.ts';
import { rebuildProjection, verifyProjection, type Progress } from '../projector/rebuild.ts';
import { UsageError } from './api-keys.ts';
import { Runtime } from '../runtime/runtime.ts';

const LAG_CAP = 100_000;

/** `oms projections status`: position, events behind the log head, last update, per projection. */
export async function projectionsStatus(opts: { json?: boolean }): Promise<void> {
  const runtime = await Runtime.create(loadConfig(), { logger: createLogger('silent') });
  try {
    await runtime.migrate();
    const { head, projections } = await projectionLags(
      runtime.services.knex,
      runtime.services.store,
      runtime.allProjections().map((p) => p.name),
      LAG_CAP,
    );
    const rows = projections.map((p) => ({
      name: p.name,
      position: p.position ? formatPosition(p.position) : null,
      lagEvents: p.lagCapped ? `>${LAG_CAP}` : p.lagEvents,
      eventsProcessed: p.eventsProcessed,
      updatedAt: p.updatedAt?.toISOString() ?? null,
    }));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ head: head ? formatPosition(head) : null, projections: rows })}\n`);
      return;
    }
    process.stdout.write(`log head: ${head ? formatPosition(head) : '(empty)'}\n`);
    process.stdout.write(
      `${'projection'.padEnd(20)} ${'position'.padEnd(24)} ${'lag'.padStart(8)} ${'processed'.padStart(10)}  updated\n`,
    );
    for (const r of rows) {
      process.stdout.write(
        `${r.name.padEnd(20)} ${String(r.position ?? '-').padEnd(24)} ${String(r.lagEvents).padStart(8)} ${String(r.eventsProcessed).padStart(10)}  ${r.updatedAt ?? '-'}\n`,
      );
    }
  } finally {
    await runtime.stop();
  }
}

function progressReporter(label: string) {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} events | {rate} ev/s | ETA {eta_formatted}`,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p: Progress) {
        if (!started) {
          bar.start(p.total ?? p.done, 0, { rate: 0 });
          started = true;
        }
        if (p.total === null) bar.setTotal(p.done);
        bar.update(p.done, { rate: p.eventsPerSecond });
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = 0;
  return {
    update(p: Progress) {
      if (Date.now() - last < 2000 && p.done !== p.total) return;
      last = Date.now();
      const eta = p.total && p.eventsPerSecond ? Math.round((p.total - p.done) / p.eventsPerSecond) : null;
      process.stderr.write(
        `${label}: ${p.done}${p.total !== null ? `/${p.total}` : ''} events, ${p.eventsPerSecond} ev/s${eta !== null ? `, ETA ${eta}s` : ''}\n`,
      );
    },
    stop() {},
  };
}

async function forEachProjection(
  name: string | undefined,
  fn: (runtime: Runtime, p: Projection) => Promise<boolean>,
): Promise<void> {
  const runtime = await Runtime.create(loadConfig(), { logger: createLogger('silent') });
  let ok = true;
  try {
    await runtime.migrate();
    const chosen = runtime.projections.filter((p) => !name || p.name === name);
    if (chosen.length === 0)
      throw new UsageError(`no projection named ${name}; known: ${runtime.projections.map((p) => p.name).join(', ')}`);
    for (const p of chosen) ok = (await fn(runtime, p)) && ok;
  } finally {
    await runtime.stop();
  }
  if (!ok) process.exitCode = 1;
}

/** `oms projections rebuild [name]`: replay into shadow tables, swap them in atomically. */
export async function projectionsRebuild(name: string | undefined): Promise<void> {
  await forEachProjection(name, async (runtime, p) => {
    const progress = progressReporter(`rebuild ${p.name}`);
    try {
      const r = await rebuildProjection({
        knex: runtime.services.knex,
        store: runtime.services.store,
        projection: p,
        onProgress: (x) => progress.update(x),
      });
      progress.stop();
      process.stdout.write(
        `${p.name}: rebuilt from ${r.events} events in ${r.seconds.toFixed(1)} s (${Math.round(r.events / Math.max(r.seconds, 0.001))} events/s)\n`,
      );
      return true;
    } finally {
      progress.stop();
    }
  });
}

/** `oms projections verify [name]`: rebuild in shadow and report any difference from the live tables. */
export async function projectionsVerify(name: string | undefined, opts: { json?: boolean }): Promise<void> {
  const results: Record<string, unknown> = {};
  await forEachProjection(name, async (runtime, p) => {
    const progress = progressReporter(`verify ${p.name}`);
    try {
      const r = await verifyProjection({
        knex: runtime.services.knex,
        store: runtime.services.store,
        projection: p,
        onProgress: (x) => progress.update(x),
      });
      progress.stop();
      results[p.name] = r;
      if (!opts.json) {
        if (r.differences.length === 0)
          process.stdout.write(
            `${p.name}: OK (${Object.keys(r.checksums).join(', ')} identical to a replay of ${r.events} events)\n`,
          );
        for (const d of r.differences) {
          process.stdout.write(
            `${p.name}: DIFFERENT ${d.table}: live ${d.liveRows} rows, rebuilt ${d.rebuiltRows}; ${d.onlyLive} only live, ${d.onlyRebuilt} only rebuilt\n`,
          );
        }
      }
      return r.differences.length === 0;
    } finally {
      progress.stop();
    }
  });
  if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
}

/** `oms projections parked`: events a projection could not apply and moved past, in log order. */
export async function projectionsParked(opts: { json?: boolean }): Promise<void> {
  const runtime = await Runtime.create(loadConfig(), { logger: createLogger('silent') });
  try {
    await runtime.migrate();
    const parked = await listParked(runtime.services.knex);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(parked)}\n`);
      return;
    }
    if (parked.length === 0) {
      process.stdout.write('no parked events\n');
      return;
    }
    for (const p of parked) {
      process.stdout.write(
        `${p.projection}  ${p.position}  ${p.eventId}  ${p.type}  ${p.streamName}  tenant ${p.tenant}  ${p.attempts} attempts  ${p.firstFailedAt} .. ${p.lastFailedAt}\n    ${p.error}\n`,
      );
    }
  } finally {
    await runtime.stop();
  }
}

/**
 * `oms projections retry-parked [name]`: applies parked events again (in log order, per
 * projection); those that apply now are unparked, the others stay. Exit 1 when any still fails.
 */
export async function projectionsRetryParked(name: string | undefined, opts: { json?: boolean }): Promise<void> {
  const runtime = await Runtime.create(loadConfig(), { logger: createLogger('silent') });
  const results: RetryResult[] = [];
  try {
    await runtime.migrate();
    const all = runtime.allProjections();
    const chosen = all.filter((p) => !name || p.name === name);
    if (chosen.length === 0)
      throw new UsageError(`no projection named ${name}; known: ${all.map((p) => p.name).join(', ')}`);
    for (const p of chosen) results.push(...(await retryParked(runtime.services.knex, runtime.services.store, p)));
  } finally {
    await runtime.stop();
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else if (results.length === 0) process.stdout.write('no parked events\n');
  else
    for (const r of results)
      process.stdout.write(`${r.projection}  ${r.eventId}  ${r.outcome}${r.error ? `: ${r.error}` : ''}\n`);
  if (results.some((r) => r.outcome !== 'applied')) process.exitCode = 1;
}
