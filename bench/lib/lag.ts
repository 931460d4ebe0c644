import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createCustomersLoad, type Api } from './api.ts';
import { parsePosition, reached, type Position } from './db.ts';
import { percentile, type LoadResult } from './load.ts';

export interface LagResult {
  projection: string;
  targetRps: number;
  load: LoadResult;
  samples: number;
  unresolved: number;
  sampleErrors: number;
  lagMs: { p50: number; p90: number; p99: number; max: number; mean: number } | null;
  sampleEveryMs: number;
  pollMs: number;
}

/**
 * Projection lag under load: create-customer runs at a fixed rate (autocannon overallRate) while a
 * side loop creates one more customer every `sampleEveryMs`, notes its Oms-Position and the time
 * the response arrived, and a poller reads the projection's checkpoint every `pollMs`; the lag of a
 * sample is the time from its response until the checkpoint first read ≥ its position.
 */
export async function measureLag(
  api: Api,
  databaseUrl: string,
  opts: {
    projection: string;
    rate: number;
    connections: number;
    seconds: number;
    sampleEveryMs: number;
    pollMs: number;
    runTag: string;
  },
): Promise<LagResult> {
  const poller = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-lag-poller' });
  await poller.connect();
  const pending: { position: Position; at: number }[] = [];
  const lags: number[] = [];
  let sampleErrors = 0;
  let sampling = true;
  let polling = true;

  const pollLoop = (async () => {
    while (polling) {
      const r = await poller.query<{ c: string; p: string }>({
        name: 'bench_checkpoint',
        text: 'select position_commit::text as c, position_prepare::text as p from projection_checkpoints where name = $1',
        values: [opts.projection],
      });
      const now = performance.now();
      const row = r.rows[0];
      if (row) {
        const cp = { commit: BigInt(row.c), prepare: BigInt(row.p) };
        for (let i = pending.length - 1; i >= 0; i--) {
          if (reached(cp, pending[i]!.position)) {
            lags.push(now - pending[i]!.at);
            pending.splice(i, 1);
          }
        }
      }
      await sleep(opts.pollMs);
    }
  })();

  let n = 0;
  const inFlight = new Set<Promise<void>>();
  const sampleLoop = (async () => {
    await sleep(500); // let the load reach its rate first
    while (sampling) {
      const i = n++;
      const p = (async () => {
        try {
          const res = await fetch(`${api.baseUrl}/v1/customers`, {
            method: 'POST',
            headers: api.headers,
            body: JSON.stringify({ email: `lag-${opts.runTag}-${i}@bench.example.com`, name: `Lag sample ${i}` }),
          });
          const at = performance.now();
          await res.arrayBuffer();
          const position = parsePosition(res.headers.get('oms-position'));
          if (res.status !== 201 || !position) sampleErrors++;
          else pending.push({ position, at });
        } catch {
          sampleErrors++;
        }
      })();
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      await sleep(opts.sampleEveryMs);
    }
  })();

  let load: LoadResult;
  try {
    load = await createCustomersLoad(api, {
      connections: opts.connections,
      seconds: opts.seconds,
      overallRate: opts.rate,
      runTag: opts.runTag,
    });
  } finally {
    sampling = false;
    await sampleLoop;
    await Promise.all(inFlight);
    // Let the last samples resolve (bounded), then stop polling.
    const deadline = performance.now() + 15_000;
    while (pending.length > 0 && performance.now() < deadline) await sleep(opts.pollMs);
    polling = false;
    await pollLoop.catch(() => {});
    await poller.end().catch(() => {});
  }
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    projection: opts.projection,
    targetRps: opts.rate,
    load,
    samples: lags.length,
    unresolved: pending.length,
    sampleErrors,
    lagMs: lags.length
      ? {
          p50: r(percentile(lags, 50)),
          p90: r(percentile(lags, 90)),
          p99: r(percentile(lags, 99)),
          max: r(Math.max(...lags)),
          mean: r(lags.reduce((a, b) => a + b, 0) / lags.length),
        }
      : null,
    sampleEveryMs: opts.sampleEveryMs,
    pollMs: opts.pollMs,
  };
}
