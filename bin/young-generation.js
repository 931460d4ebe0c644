// A rebuild or verify folds the whole log in one process: millions of short-lived objects (rows,
// parsed events, folded states) that V8's default young generation (16-32 MB semi-spaces) promotes
// to the old generation and collects again there. A 128 MB semi-space cut the garbage collector's
// time by about half on the benchmark's log (docs/performance.md, "Rebuild"). V8 sizes the young
// generation at start-up only (v8.setFlagsFromString comes too late), so these commands run in a
// second Node process started with the flag; other commands are not worth a second start-up.
import { spawn } from 'node:child_process';

export const SEMI_SPACE_FLAG = '--max-semi-space-size=128';

/** `oms projections rebuild|verify`: the commands that replay the log. */
export const replaysLog = (argv) => argv[0] === 'projections' && (argv[1] === 'rebuild' || argv[1] === 'verify');

/**
 * The Node arguments to run this script again with a larger young generation, or null when the
 * semi-space size was given already (by the operator in NODE_OPTIONS, or by an earlier relaunch).
 */
export function youngGenerationArgs(execArgv, nodeOptions) {
  if ([...execArgv, nodeOptions ?? ''].some((a) => a.includes('--max-semi-space-size'))) return null;
  return [...execArgv, SEMI_SPACE_FLAG];
}

/**
 * Runs `script argv` in a child Node with `nodeArgs`, the terminal shared; Ctrl-C and SIGTERM reach
 * the child (it finishes or rolls back its transaction) and this process ends as the child did.
 */
export function relaunch(script, argv, nodeArgs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...argv], { stdio: 'inherit' });
    const forward = (signal) => child.kill(signal);
    for (const s of ['SIGINT', 'SIGTERM']) process.on(s, forward);
    child.on('exit', (code, signal) => {
      for (const s of ['SIGINT', 'SIGTERM']) process.off(s, forward);
      if (signal) process.kill(process.pid, signal);
      else resolve(code ?? 1);
    });
  });
}
