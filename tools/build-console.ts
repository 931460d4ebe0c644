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
// The console bundles the order decider's evolve (domain/) and the typed client (client/: a regenerated
// client must rebuild it), and its dependencies' versions are in the lock.
const inputs = [consoleDir, join(root, 'domain'), join(root, 'client'), join(root, 'package-lock.json')];

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name !== 'dist' && name !== 'node_modules')
    .sort()
    .flatMap((name) => files(join(path, name)));
}

/** Builds console/dist unless it was built from these very sources (or `force`). */
export async function ensureConsoleBuilt(force = false): Promise<'built' | 'up to date'> {
  const hash = createHash('sha256');
  for (const f of inputs.flatMap(files)) hash.update(relative(root, f)).update('\0').update(readFileSync(f));
  const digest = hash.digest('hex');
  if (!force && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return 'up to date';
  const { build } = await import('vite'); // only when building: the check alone stays quick
  await build({ configFile: join(consoleDir, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stamp, digest);
  return 'built';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const outcome = await ensureConsoleBuilt(process.argv.includes('--force'));
  const took = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(`console: ${outcome === 'built' ? `built into console/dist in ${took} s` : 'up to date'}\n`);
}
