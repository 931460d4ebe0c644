export type Verdict = 'PASS' | 'FAIL' | 'n/a' | '';

export interface Row {
  metric: string;
  value: string;
  baseline: string;
  target: string;
  result: Verdict;
}

export function fmt(x: number | null | undefined, digits = 0, unit = ''): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  const s = x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return unit ? `${s} ${unit}` : s;
}

export function verdict(ok: boolean | null): Verdict {
  return ok === null ? 'n/a' : ok ? 'PASS' : 'FAIL';
}

export function renderTable(rows: readonly Row[]): string {
  const headers = ['metric', 'value', 'baseline / ratio', 'target', 'result'];
  const cells = rows.map((r) => [r.metric, r.value, r.baseline, r.target, r.result]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    `| ${c.map((v, i) => (i === 1 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (i === 1 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(headers), sep, ...cells.map(line)].join('\n');
}
