import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/oms.js', import.meta.url));

export interface OmsProcess {
  child: ChildProcess;
  /** stdout and stderr interleaved as they arrived. */
  output: () => string;
  /** stdout alone (what a `--json` command promises is only JSON). */
  stdout: () => string;
  exited: Promise<number | null>;
}

/**
 * Runs `oms <args>` as a real child process with the given environment. Test databases are
 * throwaway: the development keys stand in (OMS_DEV_KEYS=1) unless `env` says otherwise, the same
 * keys an in-process test app uses, so both read each other's personal data.
 */
export function spawnOms(args: string[], env: Record<string, string>): OmsProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, OMS_DEV_KEYS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stdout = '';
  child.stdout!.on('data', (d) => {
    out += d;
    stdout += d;
  });
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, stdout: () => stdout, exited };
}
