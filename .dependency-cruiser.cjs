/**
 * The layer rules, checked by test/layers.test.ts (`npx depcruise src --config .dependency-cruiser.cjs`).
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order matter. The entity definitions reference each other by design (lazy `() => Entity`).',
      from: { path: '^src/', pathNot: '^src/entities/' },
      to: { circular: true },
    },
    {
      name: 'handlers-only-in-the-job-index',
      severity: 'error',
      comment: 'A handler (*.job.ts) is loaded only by the worker job index; producers import contracts (src/jobs).',
      from: { pathNot: '^src/workers/handlers\\.ts$' },
      to: { path: '\\.job\\.ts$' },
    },
    {
      name: 'contracts-stay-light',
      severity: 'error',
      comment: 'A job contract imports zod, the contract helpers and the name vocabularies only, so enqueueing loads nothing heavy.',
      from: { path: '\\.contract\\.ts$' },
      to: {
        pathNot: [
          '^node_modules/(zod|bullmq)/',
          '^src/jobs/contract\\.ts$',
          '^src/queues/names\\.ts$',
          '^src/github/names\\.ts$',
          '^src/insights/types\\.ts$',
          '\\.contract\\.ts$',
        ],
      },
    },
    {
      name: 'board-does-not-load-the-sync',
      severity: 'error',
      comment: 'The board (and its webhook receiver) enqueues syncs by contract; it must not load Octokit or the sync.',
      from: { path: '^src/board/main\\.ts$' },
      to: { path: ['^node_modules/@octokit/rest/', '^src/sync/(commit-sync|repo-sync|repository)\\.ts$', '^src/workers/'], reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
