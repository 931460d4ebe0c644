// Step 2: `docker compose up -d postgres|redis` from the repository's docker-compose.yml, when a
// Docker engine answers; stop() runs `docker compose stop <service>`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstLine, redact, waitUntil } from './probe.ts';
import { run, which } from './process.ts';
import type { Instance, Log } from './types.ts';

const COMPOSE_WAIT_MS = 60_000;
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function dockerAnswers(): Promise<{ ok: boolean; reason: string; compose?: string[] }> {
  const docker = which('docker');
  if (!docker) return { ok: false, reason: 'no docker command' };
  if (!existsSync(path.join(REPO_ROOT, 'docker-compose.yml')))
    return { ok: false, reason: `no docker-compose.yml in ${REPO_ROOT}` };
  try {
    await run(docker, ['info', '--format', '{{.ServerVersion}}'], { timeout: 5000 });
  } catch (err) {
    return { ok: false, reason: firstLine(err).slice(0, 200) };
  }
  try {
    await run(docker, ['compose', 'version'], { timeout: 5000 });
    return { ok: true, reason: 'docker engine answers', compose: [docker, 'compose'] };
  } catch {
    const legacy = which('docker-compose');
    if (legacy) return { ok: true, reason: 'docker engine answers', compose: [legacy] };
    return { ok: false, reason: 'docker engine answers but neither `docker compose` nor docker-compose is installed' };
  }
}

export async function viaCompose(
  compose: string[],
  service: 'postgres' | 'redis',
  url: string,
  check: () => Promise<boolean>,
  log: Log,
): Promise<Instance | null> {
  const [cmd, ...pre] = compose as [string, ...string[]];
  const file = ['-f', path.join(REPO_ROOT, 'docker-compose.yml')];
  log(`${service}: running \`docker compose up -d ${service}\``);
  try {
    await run(cmd, [...pre, ...file, 'up', '-d', service], { timeout: 300_000 });
  } catch (err) {
    log(`${service}: docker compose up failed (${firstLine(err).slice(0, 300)}); falling back to local binaries`);
    return null;
  }
  if (!(await waitUntil(check, COMPOSE_WAIT_MS, 500))) {
    log(
      `${service}: the docker compose service did not answer at ${redact(url)} within ${COMPOSE_WAIT_MS / 1000} s; falling back to local binaries`,
    );
    return null;
  }
  log(`${service}: the docker compose service answers at ${redact(url)}`);
  return {
    url,
    label: `${service} (docker compose, port ${new URL(url).port})`,
    stop: async () => {
      await run(cmd, [...pre, ...file, 'stop', service], { timeout: 120_000 }).then(
        () => log(`${service}: stopped the docker compose service`),
        (err) => log(`${service}: docker compose stop failed: ${firstLine(err)}`),
      );
    },
  };
}
