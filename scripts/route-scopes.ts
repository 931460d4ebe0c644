// `npx tsx scripts/route-scopes.ts [--write]`: prints the route → scope table built from the route
// definitions, or with --write puts it into docs/api.md between the route-scopes markers.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/config.ts';
import { routeScopeTable, withTable } from '../src/http/internal/scope-table.ts';
import { createLogger } from '../src/observability/logger.ts';
import { Runtime } from '../src/runtime/runtime.ts';

// No roles are started: the runtime is only asked for its route definitions.
const runtime = await Runtime.create(loadConfig({ ...process.env, OMS_DEV_KEYS: '1', LOG_LEVEL: 'silent' }), {
  logger: createLogger('silent'),
});
try {
  const table = routeScopeTable(runtime.routes());
  if (process.argv.includes('--write')) {
    const path = fileURLToPath(new URL('../docs/api.md', import.meta.url));
    writeFileSync(path, withTable(readFileSync(path, 'utf8'), table));
    process.stderr.write('docs/api.md: route → scope table updated\n');
  } else {
    process.stdout.write(`${table}\n`);
  }
} finally {
  await runtime.stop();
}
