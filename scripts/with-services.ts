// `tsx scripts/with-services.ts -- <command> [args...]`: runs a command with DATABASE_URL and REDIS_URL
// pointing at servers that answer, bringing them up first when the configured ones do not (see
// src/infra/ensure-services.ts), and stops what it started when the command ends. Exits with the
// command's exit code (128 + signal number when it was killed by a signal).
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ensureServices, type EnsuredServices } from '../src/infra/ensure-services.ts';

const say = (msg: string) => process.stderr.write(`[services] ${msg}\n`);

const sep = process.argv.indexOf('--');
const [command, ...args] = sep >= 0 ? process.argv.slice(sep + 1) : process.argv.slice(2);
if (!command) {
  say('usage: tsx scripts/with-services.ts -- <command> [args...]');
  process.exit(2);
}

// Signals: while services come up, remember the signal and stop after; while the command runs, forward it.
let child: ChildProcess | null = null;
let interrupted: NodeJS.Signals | null = null;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(sig);
    else interrupted ??= sig;
  });
}

let services: EnsuredServices;
try {
  services = await ensureServices({
    databaseUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    dataDir: fileURLToPath(new URL('../.data', import.meta.url)),
    log: say,
  });
} catch (err) {
  say((err as Error).message);
  process.exit(1);
}
if (services.started.length) say(`started: ${services.started.join(', ')}`);

async function finish(code: number): Promise<never> {
  try {
    await services.stop();
  } catch (err) {
    say(`stopping services failed: ${(err as Error).message}`);
  }
  process.exit(code);
}

if (interrupted) await finish(128 + (constants.signals[interrupted] ?? 2));

// No shell: the command is looked up on PATH (npm puts node_modules/.bin there for scripts).
const running = spawn(command, args, {
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl },
});
child = running;
const code = await new Promise<number>((resolve) => {
  running.once('error', (err) => {
    say(`cannot run ${command}: ${err.message}`);
    resolve((err as { code?: string }).code === 'ENOENT' ? 127 : 126);
  });
  running.once('exit', (c, signal) => resolve(c ?? (signal ? 128 + (constants.signals[signal] ?? 1) : 1)));
});
await finish(code);
