// One benchmark run: its options, the service under test and what watches it, the results being
// filled in, and the cleanup that runs once whatever happens.
import { Observer } from './db.ts';
import { redact } from '../../tools/services/probe.ts';
import { gitInfo, machineInfo } from './environment.ts';
import { stopAllLoads } from './load.ts';
import { log } from './log.ts';
import { Monitor } from './monitor.ts';
import type { BenchOptions } from './options.ts';
import type { Child } from './proc.ts';
import type { Results } from './results.ts';
import { Stack } from './stack.ts';

export class BenchRun {
  readonly monitor = new Monitor();
  /** Processes started besides the service (the Koa baseline), stopped by cleanup. */
  readonly children: Child[] = [];
  /** Set by SIGINT/SIGTERM: the next measurement throws instead of starting. */
  interrupted = false;
  private observerOrNull: Observer | null = null;
  private cleaned: Promise<void> | null = null;
  private markFinished: () => void = () => {};
  private readonly finished = new Promise<void>((resolve) => (this.markFinished = resolve));

  readonly opts: BenchOptions;
  readonly stack: Stack;
  readonly tag: string;
  readonly results: Results;

  private constructor(
    opts: BenchOptions,
    stack: Stack,
    /** Goes into what the requests carry (emails, names) so every run's data is its own. */
    tag: string,
    results: Results,
  ) {
    this.opts = opts;
    this.stack = stack;
    this.tag = tag;
    this.results = results;
  }

  static async create(o: BenchOptions): Promise<BenchRun> {
    const ts = `${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}_${process.pid}`;
    const stack = new Stack({ postgresUrl: o.postgresUrl, redisUrl: o.redisUrl, ts, logLevel: 'warn' });
    // The timestamp split so no 13+ digit run appears, which the API would rightly refuse as a
    // possible card number (422 card_data_not_allowed).
    const tag = ts.replace(/^(\d{8})(\d{6})/, '$1t$2');
    return new BenchRun(o, stack, tag, {
      date: new Date().toISOString(),
      mode: o.quick ? 'quick' : 'full',
      options: { ...o, postgresUrl: redact(o.postgresUrl), redisUrl: redact(o.redisUrl) },
      machine: machineInfo(),
      git: await gitInfo(),
      stack: { database: stack.dbName, redisPrefix: stack.redisPrefix, roles: ['api', 'projector', 'worker'] },
      baselines: {},
      phases: {},
      rebuild: { eventsPerSec: null, note: 'not reached' },
      rssMb: {},
      service: {},
      targets: {},
      table: [],
      durationSec: 0,
      error: null,
      cleanup: [],
    });
  }

  /** The bench's view of the service's database and Redis; every phase runs after createDatabase(). */
  get observer(): Observer {
    if (!this.observerOrNull) throw new Error('the bench database does not exist yet');
    return this.observerOrNull;
  }

  /** The observer, or null when the run stopped before the database existed. */
  get observerIfStarted(): Observer | null {
    return this.observerOrNull;
  }

  async createDatabase(): Promise<void> {
    await this.stack.createDatabase();
    const observer = new Observer(this.stack.databaseUrl, this.opts.redisUrl, this.stack.redisPrefix);
    this.observerOrNull = observer;
    this.monitor.postgresPids = () => observer.backendPids();
  }

  throwIfInterrupted(): void {
    if (this.interrupted) throw new Error('interrupted');
  }

  /** Stops everything the run started and removes its database and Redis keys; runs once. */
  cleanup(): Promise<void> {
    this.cleaned ??= (async () => {
      this.monitor.stop();
      await this.observerOrNull?.close().catch(() => {});
      await Promise.all(this.children.map((c) => c.stop(3000)));
      await this.stack.stop();
      if (this.opts.keep) {
        log(`--keep: database ${this.stack.dbName} and Redis keys ${this.stack.redisPrefix}:* left in place`);
      } else {
        this.results.cleanup = await this.stack.cleanup();
        for (const p of this.results.cleanup) log(`cleanup problem: ${p}`);
      }
    })();
    return this.cleaned;
  }

  /**
   * Process 'exit' SIGKILLs whatever is left. Ctrl-C stops the load and the service and lets the
   * run write what it has (up to 20 s), then exits; a second Ctrl-C exits at once (the listener
   * is gone, Node's default applies).
   */
  handleSignals(): void {
    process.on('exit', () => {
      this.stack.killNow();
      for (const c of this.children) c.killNow();
    });
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        log(`${sig}: stopping and cleaning up`);
        this.interrupted = true;
        stopAllLoads();
        void this.cleanup()
          .then(() => Promise.race([this.finished, new Promise((r) => setTimeout(r, 20_000))]))
          .finally(() => process.exit(130));
      });
    }
  }

  /** The results are written: a signal handler waiting for them may exit now. */
  done(): void {
    this.markFinished();
  }
}
