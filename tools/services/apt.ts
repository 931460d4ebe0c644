// Step 4: as root on Debian, `apt-get install` the server packages that are missing.
import { existsSync } from 'node:fs';
import { firstLine } from './probe.ts';
import { isRoot, run, which } from './process.ts';
import type { Log } from './types.ts';

export async function aptInstall(packages: string[], log: Log): Promise<boolean> {
  const aptGet = which('apt-get');
  if (!isRoot() || !existsSync('/etc/debian_version') || !aptGet) return false;
  log(`installing ${packages.join(' ')} with apt-get (root on Debian; this can take a minute)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run(aptGet, ['update'], { env, timeout: 300_000 });
    await run(aptGet, ['install', '-y', '--no-install-recommends', ...packages], { env, timeout: 900_000 });
    log(`installed ${packages.join(' ')}`);
    return true;
  } catch (err) {
    log(`apt-get failed: ${firstLine(err).slice(0, 400)}`);
    return false;
  }
}
