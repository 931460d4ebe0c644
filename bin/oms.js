#!/usr/bin/env node
// The `oms` command. On Node 24 (production) the TypeScript sources run on Node's own type
// stripping: no transpiler in the process. Older Nodes (Node 20, development only) have no type
// stripping, so they load tsx, a development dependency, first.
if (!process.features.typescript) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import('../src/cli/main.ts');
