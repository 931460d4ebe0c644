// `tsx scripts/with-services.ts -- <command> [args…]`: runs a command with DATABASE_URL and
// REDIS_URL pointing at servers that answer, starting local ones first when needed (see
// src/infra/ensure-services.ts), and stops what it started when the command ends.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureServices } from '../src/infra/ensure-services.ts';

const sep = process.argv.indexOf('--');
const [command, ...args] = sep >= 0 ? process.argv.slice(sep + 1) : process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: tsx scripts/with-services.ts -- <command> [args...]\n');
  process.exit(2);
}

const services = await ensureServices({
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  dataDir: fileURLToPath(new URL('../.data', import.meta.url)),
  log: (msg) => process.stderr.write(`[services] ${msg}\n`),
}).catch((err: Error) => {
  process.stderr.write(`[services] ${err.message}\n`);
  process.exit(1);
});

// npm puts node_modules/.bin on PATH for scripts; resolve the command there like a shell would.
const child = spawn(command, args, {
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl },
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
const code = await new Promise<number>((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await services.stop();
process.exit(code);
