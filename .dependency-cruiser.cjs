/**
 * The layer rules, checked by `npm run lint` and test/layers.test.ts
 * (`npx depcruise src --config .dependency-cruiser.cjs`). Rules about what a process loads at start
 * (lazy handler imports left out) are in .dependency-cruiser-eager.cjs.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const options = {
  doNotFollow: { path: 'node_modules' },
  tsPreCompilationDeps: true,
  // A copy of src with node_modules linked in (test/layers.test.ts) resolves packages as the tree does.
  preserveSymlinks: true,
  tsConfig: { fileName: 'tsconfig.json' },
  enhancedResolveOptions: {
    exportsFields: ['exports'],
    conditionNames: ['import', 'require', 'node', 'default', 'types'],
    extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
  },
};

/** The features: each keeps its modules to itself but for its contracts and its public module. */
const FEATURES = [
  'agreements',
  'board',
  'career',
  'delivery',
  'developers',
  'exports',
  'github',
  'insights',
  'issues',
  'jira',
  'llm',
  'metrics',
  'organizations',
  'people',
  'reports',
  'retention',
  'slack',
  'system',
];

module.exports = {
  options,
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Import cycles make load order matter. The entity definitions reference each other by design (lazy `() => Entity`); a contract’s lazy import of its handler is not a load-time edge.',
      from: { path: '^src/', pathNot: '^src/entities/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['dynamic-import'] } },
    },
    {
      name: 'handlers-only-through-their-contract',
      severity: 'error',
      comment: 'A handler (*.job.ts) is loaded only by its own contract’s lazy `handler: () => import(…)`; producers import contracts (src/jobs).',
      from: { pathNot: '\\.contract\\.ts$' },
      to: { path: '\\.job\\.ts$' },
    },
    {
      name: 'a-contract-names-its-own-handler',
      severity: 'error',
      comment: 'x.contract.ts lazily imports x.job.ts and no other handler.',
      from: { path: '(.*)\\.contract\\.ts$' },
      to: { path: '\\.job\\.ts$', pathNot: '^$1\\.job\\.ts$' },
    },
    {
      name: 'a-contract-loads-its-handler-lazily',
      severity: 'error',
      comment: 'A static import of the handler would load it (and the sync, Octokit …) in every producer.',
      from: { path: '\\.contract\\.ts$' },
      to: { path: '\\.job\\.ts$', dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'job-runtime-only-in-handlers',
      severity: 'error',
      comment:
        'Services take the helpers they need (src/jobs/helpers.ts), so a test, the CLI or the demo can call them; only handlers, the worker and defineJob see the job runtime (src/jobs/context.ts).',
      from: { pathNot: ['\\.job\\.ts$', '^src/workers/', '^src/jobs/(context|handler)\\.ts$'] },
      to: { path: '^src/jobs/context\\.ts$' },
    },
    {
      name: 'lib-imports-no-feature',
      severity: 'error',
      comment: 'src/lib is the bottom layer (logging, files, text, numbers, links): what it needs of a feature (a secret, a setting) is handed to it.',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'only-the-registry-imports-up',
      severity: 'error',
      comment:
        'Below the features (config, db, errors, entities, types, crypto, queues, jobs) nothing imports a feature or a process; the catalogue (src/jobs/index.ts), which lists every contract, is the one import running up the layers.',
      from: { path: '^src/(config|db|errors|entities|types|crypto|queues|jobs)/', pathNot: '^src/jobs/index\\.ts$' },
      to: { path: `^src/(${[...FEATURES, 'cli', 'demo', 'dev', 'workers'].join('|')})/` },
    },
    {
      name: 'cli-runs-no-sql',
      severity: 'error',
      comment: 'A CLI command calls the services of its feature; the statements live there, where every one touching a table can be found.',
      from: { path: '^src/cli/' },
      to: { path: ['^src/db/sql\\.ts$', '^node_modules/pg/'] },
    },
    {
      name: 'features-meet-through-public-modules',
      severity: 'error',
      comment:
        'A feature (and the CLI, the board, the demo) reaches another feature only through its job contracts or its public module: src/<feature>/index.ts (the GitHub feature has one per part: api, sql, sync, webhooks). What a public module does not export is the feature’s own. The registry (src/jobs/index.ts) is the one exception.',
      from: { path: '^src/([^/]+)/', pathNot: '^src/jobs/index\\.ts$' },
      to: {
        path: `^src/(${FEATURES.join('|')})/`,
        pathNot: ['^src/$1/', '\\.contract\\.ts$', '^src/[^/]+/index\\.ts$', '^src/github/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'contracts-stay-light',
      severity: 'error',
      comment: 'A job contract imports zod, the contract helpers and the name vocabularies only, so enqueueing loads nothing heavy.',
      from: { path: '\\.contract\\.ts$' },
      to: {
        dependencyTypesNot: ['dynamic-import', 'type-only'],
        pathNot: [
          '^node_modules/(zod|bullmq)/',
          '^src/jobs/contract\\.ts$',
          '^src/queues/names\\.ts$',
          '^src/github/api/names\\.ts$',
          '^src/insights/types\\.ts$',
          '\\.contract\\.ts$',
        ],
      },
    },
  ],
};

// The feature list, for tests that hold every feature to a rule (not part of the configuration).
Object.defineProperty(module.exports, 'FEATURES', { value: FEATURES, enumerable: false });
