#!/usr/bin/env node
// The `oms` command. On Node 24 (production) the TypeScript sources run on Node's own type
// stripping: no transpiler in the process. Older Nodes (Node 20, development only) have no type
// stripping, so they load tsx, a development dependency, first.
import { fileURLToPath } from 'node:url';
import { relaunch, replaysLog, youngGenerationArgs } from './young-generation.js';

const argv = process.argv.slice(2);
const nodeArgs = replaysLog(argv) ? youngGenerationArgs(process.execArgv, process.env.NODE_OPTIONS) : null;
if (nodeArgs) {
  // Rebuild and verify run in a child Node with a larger young generation (see young-generation.js).
  process.exitCode = await relaunch(fileURLToPath(import.meta.url), argv, nodeArgs);
} else {
  if (!process.features.typescript) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  await import('../src/cli/main.ts');
}
