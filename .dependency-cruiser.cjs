// Dependency rules, checked in `npm test` (npm run lint:deps). Dependencies point down:
// domain ← features ← the http edge / cli / runtime. Shared machinery knows no feature.
const FEATURES = '(customers|orders|inventory|shipments|webhooks|audit|analytics|operations|oauth)';
const SHARED =
  '(http|eventstore|projector|jobs|auth|config|observability|db|pii|security|tenants|commands|queries|schemas|infra)';

// In a git worktree node_modules may be a symlink that resolves to another checkout's (../main/node_modules/...).
const JSON_SCHEMA_TO_TS = '(^|/)node_modules/json-schema-to-ts/';
// Persistent collections (no I/O): a hot SKU's reservations change by one entry per event, and a
// copied array made every fold of its stream quadratic (domain/inventory/state.ts).
const IMMUTABLE = '(^|/)node_modules/immutable/';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'domain/ is pure: it imports nothing outside domain/ (no I/O, no clock, no adapters) but immutable collections.',
      severity: 'error',
      from: { path: '^domain/' },
      to: { pathNot: ['^domain/', IMMUTABLE], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-imports-only-types-from-packages',
      comment: 'domain/ may use types from json-schema-to-ts, immutable collections and nothing else outside domain/.',
      severity: 'error',
      from: { path: '^domain/' },
      to: { pathNot: ['^domain/', JSON_SCHEMA_TO_TS, IMMUTABLE] },
    },
    {
      name: 'shared-machinery-knows-no-feature',
      comment: 'The http edge, event store, projector, jobs runtime, auth, config... know nothing about any feature.',
      severity: 'error',
      from: { path: `^src/${SHARED}/` },
      to: { path: [`^src/${FEATURES}/`, '^projections/'] },
    },
    {
      name: 'no-http-internals-outside-the-edge',
      comment:
        'Features use the http kit (src/http/*.ts); app, router, middleware and openapi are wired by the runtime only.',
      severity: 'error',
      from: { pathNot: ['^src/http/', '^src/runtime/', '^test/', '^scripts/'] },
      to: { path: '^src/http/internal/' },
    },
    {
      name: 'feature-logic-knows-no-http',
      comment:
        'Command handlers, queries, views and jobs raise domain or application errors; only routes, schemas and the index speak HTTP.',
      severity: 'error',
      from: { path: `^src/${FEATURES}/`, pathNot: `^src/${FEATURES}/(routes|schemas|index|[a-z-]+-route)\\.ts$` },
      to: { path: '^src/http/' },
    },
    {
      name: 'read-models-know-no-feature-code',
      comment: 'projections/ build read models from events: domain types and the projector contract only.',
      severity: 'error',
      from: { path: '^projections/' },
      to: { path: [`^src/${FEATURES}/`, '^src/http/', '^src/runtime/'] },
    },
    {
      name: 'no-tests-or-tooling-in-the-product',
      comment: 'Nothing shipped imports tests, developer tooling, scripts or benchmarks.',
      severity: 'error',
      from: { path: '^(src|domain|projections|migrations|bin)/' },
      to: { path: '^(test|tools|scripts|bench)/' },
    },
    {
      name: 'production-needs-no-dev-dependencies',
      comment:
        'The image installs dependencies only (npm ci --omit=dev) and Node 24 runs the sources on its own type ' +
        'stripping: what ships may import a devDependency for types only. bin/oms.js loads tsx on older Nodes, ' +
        'which is development only.',
      severity: 'error',
      from: { path: '^(src|domain|projections|migrations)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-module-cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Folders form a graph without cycles (each folder depends only on folders below it).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^(src|domain|projections|migrations|bin|tools)/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
