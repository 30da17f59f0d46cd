/**
 * What a process loads when it starts: the lazy `handler: () => import(…)` of each contract is left
 * out (`exclude.dynamic`), so these rules see only the static import graph. Checked by `npm run lint`
 * and test/layers.test.ts (`npx depcruise src --config .dependency-cruiser-eager.cjs`).
 * @type {import('dependency-cruiser').IConfiguration}
 */
const { options } = require('./.dependency-cruiser.cjs');

module.exports = {
  options: { ...options, exclude: { dynamic: true } },
  forbidden: [
    {
      name: 'board-does-not-load-the-sync',
      severity: 'error',
      comment: 'The board (and its webhook receiver) enqueues syncs by contract; it must not load Octokit, the sync or the handlers.',
      from: { path: '^src/board/main\\.ts$' },
      to: {
        path: ['^node_modules/@octokit/rest/', '^src/github/sync/(commit-sync|pull-stream|repository)\\.ts$', '^src/workers/', '\\.job\\.ts$'],
        reachable: true,
      },
    },
  ],
};
