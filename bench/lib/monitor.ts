import os from 'node:os';
import { readCpuSeconds, readMachineCpu, readMem } from './proc.ts';

export interface CpuSnapshot {
  at: number;
  procs: Record<string, number | null>;
  /** CPU seconds per Postgres backend serving the bench database (pid → seconds). */
  postgres: Map<number, number> | null;
  bench: number;
  machine: { busy: number; total: number } | null;
}

/** Cores used per process over an interval, plus the whole machine and "other" (Postgres, Redis, other users). */
export interface CpuUse {
  seconds: number;
  cores: Record<string, number | null>;
}

interface Watched {
  pid: number;
  peakRssKb: number;
  hwmKb: number;
}

/**
 * Samples the resident set of the service processes every `intervalMs` (VmRSS, and VmHWM which the
 * kernel keeps as the peak) and takes CPU snapshots around phases.
 */
export class Monitor {
  private readonly watched = new Map<string, Watched>();
  private readonly retired = new Map<string, Watched>();
  private timer: NodeJS.Timeout | null = null;
  /** Lists the Postgres backend pids of the database under test (set once the service is up). */
  postgresPids: (() => Promise<number[]>) | null = null;

  watch(name: string, pid: number): void {
    this.watched.set(name, { pid, peakRssKb: 0, hwmKb: 0 });
    this.sample();
  }

  /** Stops sampling a process (it exited) but keeps its peak for the report. */
  unwatch(name: string): void {
    const w = this.watched.get(name);
    if (!w) return;
    this.sample();
    this.watched.delete(name);
    this.retired.set(name, w);
  }

  start(intervalMs = 250): void {
    this.timer ??= setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  sample(): void {
    for (const w of this.watched.values()) {
      const m = readMem(w.pid);
      if (!m) continue;
      w.peakRssKb = Math.max(w.peakRssKb, m.rssKb);
      w.hwmKb = Math.max(w.hwmKb, m.hwmKb);
    }
  }

  /** Peak RSS in MB per process: the kernel's high-water mark, or the sampled maximum if larger. */
  peaksMb(): Record<string, { peakMb: number; sampledPeakMb: number; hwmMb: number }> {
    const out: Record<string, { peakMb: number; sampledPeakMb: number; hwmMb: number }> = {};
    for (const [name, w] of [...this.retired, ...this.watched]) {
      const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
      out[name] = { peakMb: mb(Math.max(w.hwmKb, w.peakRssKb)), sampledPeakMb: mb(w.peakRssKb), hwmMb: mb(w.hwmKb) };
    }
    return out;
  }

  async cpu(): Promise<CpuSnapshot> {
    let postgres: Map<number, number> | null = null;
    if (this.postgresPids) {
      try {
        postgres = new Map();
        for (const pid of await this.postgresPids()) {
          const s = readCpuSeconds(pid);
          if (s !== null) postgres.set(pid, s);
        }
      } catch {
        postgres = null;
      }
    }
    const procs: Record<string, number | null> = {};
    for (const [name, w] of this.watched) procs[name] = readCpuSeconds(w.pid);
    const u = process.cpuUsage();
    return { at: performance.now(), procs, postgres, bench: (u.user + u.system) / 1e6, machine: readMachineCpu() };
  }

  static cpuUse(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
    const seconds = (b.at - a.at) / 1000;
    const cores: Record<string, number | null> = {};
    const r = (x: number) => Math.round(x * 100) / 100;
    let known = 0;
    for (const name of Object.keys(b.procs)) {
      if (!(name in a.procs)) continue;
      const x = a.procs[name];
      const y = b.procs[name];
      cores[name] = x == null || y == null || seconds <= 0 ? null : r((y - x) / seconds);
      known += cores[name] ?? 0;
    }
    if (b.postgres && seconds > 0) {
      // Backends that connected during the interval count from zero; ones that left are lost.
      let sum = 0;
      for (const [pid, s] of b.postgres) sum += s - (a.postgres?.get(pid) ?? 0);
      cores.postgres = r(Math.max(0, sum) / seconds);
      known += cores.postgres;
    }
    cores.bench = seconds > 0 ? r((b.bench - a.bench) / seconds) : null;
    known += cores.bench ?? 0;
    if (a.machine && b.machine && b.machine.total > a.machine.total) {
      // /proc/stat counts jiffies summed over all CPUs: busy share × CPU count = cores busy.
      const share = (b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total);
      const machineCores = share * cpuCount();
      cores.machine = r(machineCores);
      cores.other = r(Math.max(0, machineCores - known));
    }
    return { seconds: r(seconds), cores };
  }
}

function cpuCount(): number {
  return os.cpus().length || 1;
}
