// The end of a run: the table and its verdicts added to the results, bench-results.json written,
// the table and a footer about the machine printed.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CpuUse } from './monitor.ts';
import { renderTable } from './report.ts';
import type { Results } from './results.ts';
import { buildTable } from './table.ts';

export function writeReport(results: Results, outFile: string): void {
  results.machine.otherCoresDuringPhases = otherCores(results);
  results.table = buildTable(results);
  const out = path.resolve(process.cwd(), outFile);
  writeFileSync(out, `${JSON.stringify(results, jsonReplacer, 2)}\n`);
  process.stdout.write(`\n${renderTable(results.table)}\n\n`);
  const load = results.machine.loadAverageStart as number[];
  const others = results.machine.otherCoresDuringPhases as number | null;
  process.stdout.write(
    `${results.mode} run, ${results.durationSec} s; ${os.cpus().length} CPUs, load average at start ${load.map((x) => x.toFixed(2)).join(' ')}` +
      (others === null
        ? ''
        : `; processes outside the benchmark used ${others.toFixed(2)} cores on average during the measured phases`) +
      `${others !== null && others > 0.25 ? ' (the machine was shared: figures are pessimistic)' : ''}.\nResults: ${out}\n`,
  );
}

/** Average cores used by processes outside the benchmark during the measured phases. */
function otherCores(r: Results): number | null {
  const vals: number[] = [];
  const phases = r.phases as Record<string, { cpu?: CpuUse[] } | undefined>;
  for (const p of [...Object.values(phases), r.baselines.koaHello]) {
    for (const c of Array.isArray(p?.cpu) ? p.cpu : []) if (c.cores.other != null) vals.push(c.cores.other);
  }
  return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
