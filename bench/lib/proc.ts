import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A child process whose output is kept (the tail) for error reports and log-line counts. */
export class Child {
  readonly proc: ChildProcess;
  private tail: string[] = [];
  private partial = '';
  /** Log lines by pino level name (the service logs JSON); other lines count as "other". */
  readonly levels: Record<string, number> = {};
  exitCode: number | null = null;
  exitSignal: string | null = null;
  private readonly exited: Promise<void>;

  readonly name: string;

  constructor(name: string, command: string, args: string[], options: SpawnOptions) {
    this.name = name;
    this.proc = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer) => this.collect(chunk.toString('utf8'));
    this.proc.stdout!.on('data', onData);
    this.proc.stderr!.on('data', onData);
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
      this.proc.once('error', () => resolve());
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get running(): boolean {
    return this.exitCode === null && this.exitSignal === null && this.proc.pid !== undefined;
  }

  private collect(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      let level = 'other';
      if (line.startsWith('{')) {
        try {
          const n = (JSON.parse(line) as { level?: number }).level;
          level = n === undefined ? 'other' : (PINO_LEVELS[n] ?? String(n));
        } catch {
          /* not JSON */
        }
      }
      this.levels[level] = (this.levels[level] ?? 0) + 1;
      this.tail.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
      if (this.tail.length > 200) this.tail.splice(0, this.tail.length - 200);
    }
  }

  /** Lines printed so far (the last 200). */
  output(last = 200): string[] {
    return this.tail.slice(-last);
  }

  /** Waits for a line matching `re` (e.g. "listening on <port>"). */
  async waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of [...this.tail, this.partial]) {
        const m = re.exec(line);
        if (m) return m;
      }
      if (!this.running)
        throw new Error(
          `${this.name} exited (${this.exitCode ?? this.exitSignal}) before printing ${re}:\n${this.output(30).join('\n')}`,
        );
      if (Date.now() > deadline)
        throw new Error(`${this.name} did not print ${re} within ${timeoutMs} ms:\n${this.output(30).join('\n')}`);
      await sleep(50);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Resolves once the process has exited. */
  async stop(graceMs = 8000): Promise<void> {
    if (!this.running) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (this.running) this.proc.kill('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Synchronous last resort (process 'exit' handlers cannot wait). */
  killNow(): void {
    if (this.running) this.proc.kill('SIGKILL');
  }
}

const PINO_LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

export interface MemSample {
  rssKb: number;
  hwmKb: number;
}

/** VmRSS and VmHWM (peak resident set) of a process, from /proc. */
export function readMem(pid: number): MemSample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
    if (!rss || !hwm) return null;
    return { rssKb: Number(rss[1]), hwmKb: Number(hwm[1]) };
  } catch {
    return null;
  }
}

/** CPU time (user + system) of a process in seconds, from /proc/<pid>/stat. */
export function readCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after ")" are positional.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Whole-machine CPU: busy and total jiffies from /proc/stat. */
export function readMachineCpu(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Linux USER_HZ; 100 on every mainstream kernel configuration. */
const CLOCK_TICKS = 100;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`process serving ${url} exited`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}
