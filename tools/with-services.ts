// `tsx tools/with-services.ts [--chromium] -- <command> [args...]`: runs a command with DATABASE_URL
// and REDIS_URL pointing at servers that answer, bringing them up first when the configured ones do
// not (see tools/services/index.ts), and stops what it started when the command ends. --chromium also
// makes sure the browser tests' Chromium is there (tools/services/chromium.ts), installing it before
// the command starts rather than inside a test's timeout. Exits with the command's exit code (128 +
// signal number when it was killed by a signal). `npm test` runs mocha so.
import { ensureChromium } from './services/chromium.ts';
import { runWithServices, say } from './launch.ts';

const sep = process.argv.indexOf('--');
const options = sep >= 0 ? process.argv.slice(2, sep) : [];
const [command, ...args] = sep >= 0 ? process.argv.slice(sep + 1) : process.argv.slice(2);
if (!command || options.some((o) => o !== '--chromium')) {
  say('usage: tsx tools/with-services.ts [--chromium] -- <command> [args...]');
  process.exit(2);
}

if (options.includes('--chromium')) {
  try {
    await ensureChromium(say);
  } catch (err) {
    say((err as Error).message);
    process.exit(1);
  }
}

await runWithServices({
  databaseUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
  command,
  args,
});
