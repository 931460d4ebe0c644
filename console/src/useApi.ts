import { useCallback, useEffect, useState } from 'react';
import { ApiError, type Problem } from './api.ts';

/** Loads with `load` whenever `deps` change; keeps the problem of a failed call instead of throwing. */
export function useApi<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what the load depends on
  useEffect(() => {
    let live = true;
    setLoading(true);
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setProblem(null);
        setLoading(false);
      },
      (err) => {
        if (!live) return;
        setProblem(asProblem(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, problem, loading, reload };
}

export function asProblem(err: unknown): Problem {
  if (err instanceof ApiError) return err.problem;
  return { title: 'Unexpected error', status: 0, detail: err instanceof Error ? err.message : String(err) };
}
