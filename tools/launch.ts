// Runs one command with DATABASE_URL and REDIS_URL pointing at servers that answer, bringing them up
// first when the configured ones do not (see services/index.ts), and stops what it started when the
// command ends. Exits with the command's exit code (128 + signal number when it was killed by a signal).
// Used by with-services.ts (`npm test`) and start.ts (`npm start`).
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ensureServices, type EnsuredServices } from './services/index.ts';

export const say = (msg: string) => process.stderr.write(`[services] ${msg}\n`);

export interface LaunchOptions {
  /** The configured URLs: used when they answer. */
  databaseUrl: string;
  redisUrl: string;
  command: string;
  args: string[];
  /** The command's DATABASE_URL from the one ensured (default: unchanged). */
  databaseUrlFor?: (ensured: string) => string;
  /**
   * The command is a server that drains on its first SIGINT/SIGTERM and exits on a second: run it in its
   * own process group, so a Ctrl-C reaches it only through us, and pass it the first signal only.
   * Otherwise it shares our process group and every signal is passed on.
   */
  server?: boolean;
}

/** <repo>/.data: where private Postgres and Redis instances keep their data (git-ignored). */
export const DATA_DIR = fileURLToPath(new URL('../.data', import.meta.url));

export async function runWithServices(o: LaunchOptions): Promise<never> {
  // Signals: while services come up, remember the signal and stop after; while the command runs, pass it on.
  let child: ChildProcess | null = null;
  let interrupted: NodeJS.Signals | null = null;
  let forwarded = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      interrupted ??= sig;
    } else if (!o.server) {
      child.kill(sig);
    } else if (!forwarded) {
      forwarded = true;
      child.kill(sig === 'SIGHUP' ? 'SIGTERM' : sig);
    } else {
      say(`${sig}: already passed on; waiting for the command to drain and exit`);
    }
  };
  for (const sig of ['SIGINT', 'SIGTERM', ...(o.server ? (['SIGHUP'] as const) : [])] as const)
    process.on(sig, onSignal);

  let services: EnsuredServices;
  try {
    services = await ensureServices({ databaseUrl: o.databaseUrl, redisUrl: o.redisUrl, dataDir: DATA_DIR, log: say });
  } catch (err) {
    say((err as Error).message);
    process.exit(1);
  }
  if (services.started.length) say(`started: ${services.started.join(', ')}`);

  const finish = async (code: number): Promise<never> => {
    try {
      await services.stop();
    } catch (err) {
      say(`stopping services failed: ${(err as Error).message}`);
    }
    process.exit(code);
  };

  if (interrupted) return finish(128 + (constants.signals[interrupted] ?? 2));

  // No shell: the command is looked up on PATH (npm puts node_modules/.bin there for scripts).
  const databaseUrl = o.databaseUrlFor ? o.databaseUrlFor(services.databaseUrl) : services.databaseUrl;
  const running = spawn(o.command, o.args, {
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: services.redisUrl },
    detached: o.server === true,
  });
  child = running;
  // A server in its own process group outlives us unless told: tell it when we exit some other way.
  if (o.server) process.once('exit', () => running.exitCode === null && running.signalCode === null && running.kill());
  const code = await new Promise<number>((resolve) => {
    running.once('error', (err) => {
      say(`cannot run ${o.command}: ${err.message}`);
      resolve((err as { code?: string }).code === 'ENOENT' ? 127 : 126);
    });
    running.once('exit', (c, signal) => resolve(c ?? (signal ? 128 + (constants.signals[signal] ?? 1) : 1)));
  });
  return finish(code);
}
