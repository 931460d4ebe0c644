import autocannon, { type Instance, type Options, type Result } from 'autocannon';

/** What the report keeps of one autocannon run. */
export interface LoadResult {
  /** Completed requests per second (any status). */
  rps: number;
  /** 2xx responses per second: the figure ratios and targets use. */
  okRps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  requests: number;
  ok: number;
  /** Non-2xx responses. */
  non2xx: number;
  /** Connection errors and timeouts (no response at all). */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** The first few non-2xx responses (status and the start of the body), to tell what went wrong. */
  errorSamples: { status: number; body: string }[];
  durationSec: number;
  connections: number;
}

const running = new Set<Instance>();

/** Ends every load in progress (on Ctrl-C: their results are then cut short). */
export function stopAllLoads(): void {
  for (const i of running) i.stop();
}

export async function load(opts: Options): Promise<LoadResult> {
  const errorSamples: { status: number; body: string }[] = [];
  const requests = (opts.requests ?? [{}]).map((spec) => ({
    ...spec,
    onResponse(status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) {
      if ((status < 200 || status > 299) && errorSamples.length < 5)
        errorSamples.push({ status, body: body.slice(0, 300) });
      spec.onResponse?.(status, body, context, headers);
    },
  }));
  const instance = autocannon({ timeout: 10, ...opts, requests });
  running.add(instance);
  try {
    const r: Result = await instance;
    return summarize(r, errorSamples);
  } finally {
    running.delete(instance);
  }
}

export function summarize(r: Result, errorSamples: { status: number; body: string }[] = []): LoadResult {
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = Number(count);
  const requests = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  const dur = r.duration > 0 ? r.duration : 1;
  const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    rps: round(requests / dur),
    okRps: round(r['2xx'] / dur),
    latencyMs: {
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      max: r.latency.max,
      mean: round(r.latency.mean ?? r.latency.average, 2),
    },
    requests,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    errorSamples,
    durationSec: round(r.duration, 2),
    connections: r.connections,
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}

/**
 * Runs `fn` `repeats` times and returns every run plus the run whose ok-rps is the median (so the
 * latencies and error counts reported belong to one real run rather than being mixed).
 */
export async function repeated(
  repeats: number,
  fn: (i: number) => Promise<LoadResult>,
): Promise<{ median: LoadResult; runs: LoadResult[] }> {
  const runs: LoadResult[] = [];
  for (let i = 0; i < repeats; i++) runs.push(await fn(i));
  const sorted = [...runs].sort((a, b) => a.okRps - b.okRps);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)]!, runs };
}
