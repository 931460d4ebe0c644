let startedAt = performance.now();

/** Starts the run's clock: log lines and the reported duration count from here. */
export function startClock(): void {
  startedAt = performance.now();
}

export function elapsedSec(): number {
  return (performance.now() - startedAt) / 1000;
}

export function log(msg: string): void {
  process.stdout.write(`[bench ${elapsedSec().toFixed(1).padStart(6)}s] ${msg}\n`);
}
