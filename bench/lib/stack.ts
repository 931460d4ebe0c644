import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Monitor } from './monitor.ts';
import { Child, freePort, waitForHttp } from './proc.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const OMS_BIN = fileURLToPath(new URL('../../bin/oms.js', import.meta.url));
const run = promisify(execFile);

export type Role = 'api' | 'projector' | 'worker';

export interface StackConfig {
  /** Base server URL without a database, e.g. postgres://postgres@127.0.0.1:5432 */
  postgresUrl: string;
  redisUrl: string;
  ts: string;
  logLevel: string;
}

/**
 * The service under test: one process per role against a fresh database and Redis prefix,
 * both removed again by cleanup().
 */
export class Stack {
  readonly dbName: string;
  readonly databaseUrl: string;
  readonly adminUrl: string;
  readonly redisPrefix: string;
  /** By name: the role, or e.g. `worker-2` for a second process of a role. */
  readonly children = new Map<string, Child>();
  port = 0;
  key = '';
  tenant = 'bench';
  private dbCreated = false;

  readonly config: StackConfig;

  constructor(config: StackConfig) {
    this.config = config;
    this.dbName = `oms_bench_${config.ts}`;
    this.databaseUrl = withDatabase(config.postgresUrl, this.dbName);
    this.adminUrl = withDatabase(config.postgresUrl, 'postgres');
    this.redisPrefix = `oms-bench-${config.ts}`;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.config.redisUrl,
      OMS_REDIS_PREFIX: this.redisPrefix,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      LOG_LEVEL: this.config.logLevel,
      OMS_SHUTDOWN_TIMEOUT_MS: '5000',
      // Rate limiting does not exist yet; when it does, a benchmark must not be throttled.
      OMS_RATE_LIMIT_PER_SECOND: '0',
      OMS_RATE_LIMIT_PER_ADDRESS: '0',
      // A benchmark database is thrown away: the development keys will do.
      OMS_DEV_KEYS: '1',
      EVENTSTORE_URL: '',
      OMS_ROLE: '',
      ...extra,
    };
  }

  /** Creates the (empty) database; the service migrates it later. The baselines use it first. */
  async createDatabase(): Promise<void> {
    const client = new pg.Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      await client.query(`create database "${this.dbName}"`);
      this.dbCreated = true;
    } finally {
      await client.end();
    }
  }

  /** `oms api-keys create` migrates the database first, so the role processes start on a migrated schema. */
  async createKey(): Promise<string> {
    this.dbCreated = true; // the CLI creates the database if the baselines did not
    const { stdout } = await run(
      process.execPath,
      [OMS_BIN, 'api-keys', 'create', '--tenant', this.tenant, '--scopes', '*', '--json', '--label', 'benchmark'],
      {
        cwd: REPO_ROOT,
        env: this.env(),
        timeout: 120_000,
      },
    );
    const line = stdout.trim().split('\n').pop() ?? '';
    const parsed = JSON.parse(line) as { key?: string };
    if (!parsed.key) throw new Error(`api-keys create printed no key: ${stdout}`);
    this.key = parsed.key;
    return this.key;
  }

  async start(roles: readonly Role[], monitor: Monitor): Promise<void> {
    this.port = await freePort();
    for (const role of roles) {
      const child = new Child(role, process.execPath, [...nodeFlags(role), OMS_BIN, 'start', '--role', role], {
        cwd: REPO_ROOT,
        env: this.env(),
      });
      this.children.set(role, child);
      monitor.watch(role, child.pid);
    }
    if (roles.includes('api')) {
      const api = this.children.get('api')!;
      await waitForHttp(`${this.baseUrl}/healthz`, 90_000, () => api.running);
    }
    // The projector and worker have no port: give them a moment, then insist they are alive.
    await new Promise((r) => setTimeout(r, 1000));
    for (const [role, child] of this.children) {
      if (!child.running)
        throw new Error(
          `${role} exited during start (${child.exitCode ?? child.exitSignal}):\n${child.output(30).join('\n')}`,
        );
    }
  }

  /** One more process of a role (e.g. a second worker), named `name` in the results. */
  async addProcess(name: string, role: Role, monitor: Monitor): Promise<void> {
    const child = new Child(name, process.execPath, [...nodeFlags(name), OMS_BIN, 'start', '--role', role], {
      cwd: REPO_ROOT,
      env: this.env(),
    });
    this.children.set(name, child);
    monitor.watch(name, child.pid);
    await new Promise((r) => setTimeout(r, 1000));
    if (!child.running)
      throw new Error(
        `${name} exited during start (${child.exitCode ?? child.exitSignal}):\n${child.output(30).join('\n')}`,
      );
  }

  /**
   * Freezes processes (SIGSTOP) until `resume`: what is measured meanwhile runs without them.
   * A frozen process keeps its connections and whatever it held; nothing it does times out on
   * the scale of a phase.
   */
  suspend(names: readonly string[]): void {
    for (const n of names) {
      const child = this.children.get(n);
      if (child?.running) process.kill(child.pid, 'SIGSTOP');
    }
  }

  resume(names: readonly string[]): void {
    for (const n of names) {
      const child = this.children.get(n);
      if (child?.running) process.kill(child.pid, 'SIGCONT');
    }
  }

  /** Processes that died while the benchmark ran (a crash is a finding, not a reason to hide it). */
  deadChildren(): { role: string; exit: string; output: string[] }[] {
    const dead = [];
    for (const [role, child] of this.children) {
      if (!child.running)
        dead.push({ role, exit: String(child.exitCode ?? child.exitSignal), output: child.output(30) });
    }
    return dead;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.children.values()].map((c) => c.stop()));
  }

  killNow(): void {
    for (const c of this.children.values()) c.killNow();
  }

  /** Drops the database and deletes every Redis key under the prefix. Errors are returned, not thrown. */
  async cleanup(): Promise<string[]> {
    const problems: string[] = [];
    if (this.dbCreated) {
      const client = new pg.Client({ connectionString: this.adminUrl });
      try {
        await client.connect();
        await client.query(`drop database if exists "${this.dbName}" with (force)`);
      } catch (err) {
        problems.push(`drop database ${this.dbName}: ${(err as Error).message}`);
      } finally {
        await client.end().catch(() => {});
      }
    }
    const redis = new Redis(this.config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    redis.on('error', () => {});
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.redisPrefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
    } catch (err) {
      problems.push(`delete redis keys ${this.redisPrefix}:*: ${(err as Error).message}`);
    } finally {
      redis.disconnect();
    }
    return problems;
  }
}

export function withDatabase(serverUrl: string, db: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * Node flags of a service process, as docs/operations.md ("Memory of an API process") recommends
 * deploying it: an API process gets a V8 old-generation limit, so that V8 collects before its heap
 * grows far past what it keeps alive.
 */
/**
 * Node flags of a role's process. BENCH_CPU_PROF_DIR=<dir> profiles every role process
 * (`--cpu-prof`, one .cpuprofile per process, written when it stops).
 */
function nodeFlags(role: string): string[] {
  const flags = role === 'api' ? ['--max-old-space-size=256'] : [];
  const profDir = process.env.BENCH_CPU_PROF_DIR;
  if (profDir) flags.push('--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${role}.cpuprofile`);
  return flags;
}
