// `npm run build:console` (also run before `npm start` and `npm test`): builds the operator console
// (console/) into console/dist with Vite, unless the sources are unchanged since the last build: a
// hash of every input is kept in console/dist/.source-hash. `--force` builds anyway.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const consoleDir = join(root, 'console');
const dist = join(consoleDir, 'dist');
const stamp = join(dist, '.source-hash');
// The console bundles the order decider's evolve (domain/), and its dependencies' versions are in the lock.
const inputs = [consoleDir, join(root, 'domain'), join(root, 'package-lock.json')];

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name !== 'dist' && name !== 'node_modules')
    .sort()
    .flatMap((name) => files(join(path, name)));
}

const hash = createHash('sha256');
for (const f of inputs.flatMap(files)) hash.update(relative(root, f)).update('\0').update(readFileSync(f));
const digest = hash.digest('hex');

if (!process.argv.includes('--force') && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
  process.stderr.write('console: up to date (console/dist)\n');
} else {
  const started = Date.now();
  const { build } = await import('vite'); // only when building: the check alone stays quick
  await build({ configFile: join(consoleDir, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stamp, digest);
  process.stderr.write(`console: built into console/dist in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
