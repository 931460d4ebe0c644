// `npm run client:generate`: rewrites client/openapi.ts, the typed client's types, from the OpenAPI
// document the server publishes at GET /openapi.json (built here from the route definitions, as the
// server builds it).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { clientTypes } from '../client/generate.ts';
import { loadConfig } from '../src/config/config.ts';
import { buildOpenApi } from '../src/http/internal/openapi.ts';
import { createLogger } from '../src/observability/logger.ts';
import { Runtime } from '../src/runtime/runtime.ts';

// No roles are started: the runtime is only asked for its route definitions.
const runtime = await Runtime.create(loadConfig({ ...process.env, OMS_DEV_KEYS: '1', LOG_LEVEL: 'silent' }), {
  logger: createLogger('silent'),
});
try {
  const path = fileURLToPath(new URL('../client/openapi.ts', import.meta.url));
  writeFileSync(path, await clientTypes(buildOpenApi(runtime.routes(), '1.0.0')));
  process.stderr.write('client/openapi.ts: regenerated from the OpenAPI document\n');
} finally {
  await runtime.stop();
}
