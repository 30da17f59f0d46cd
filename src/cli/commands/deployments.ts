import type { Command } from 'commander';
import { deploymentSourceOf, recentDeployments, setDeploymentSource } from '../../github/sync/index.js';
import { listLimit, withOrm } from '../context.js';

/** `aexy deployments [list|source]`: the stored deployments, and where a repository's come from. */
export function registerDeployments(program: Command): void {
  const deployments = program.command('deployments').description('deployments: list them, set where a repository reads them from');
  deployments
    .command('list', { isDefault: true })
    .description('the newest deployments (of one repository), with the source each repository reads them from')
    .option('--repository <owner/name>', 'one repository')
    .option('--limit <n>', 'how many', '20')
    .action(async (opts: { repository?: string; limit: string }) => {
      const limit = listLimit(opts.limit);
      await withOrm(async (orm) => {
        const em = orm.em.fork();
        const rows = await recentDeployments(em, opts.repository ?? null, limit);
        if (rows.length === 0) console.log(opts.repository ? `no deployments of ${opts.repository} stored` : 'no deployments stored');
        for (const repository of [...new Set(rows.map((r) => r.repository_full_name))]) {
          const source = await deploymentSourceOf(em, repository);
          console.log(`${repository}: source ${source.used ?? 'not chosen yet'} (${source.set === 'auto' ? 'chosen by the sync' : 'set'})`);
        }
        console.table(
          rows.map((r) => ({
            repository: r.repository_full_name,
            environment: r.environment + (r.is_production ? ' (production)' : ''),
            sha: r.sha.slice(0, 12),
            status: r.status,
            created: new Date(r.created_at).toISOString(),
            source: r.source,
          })),
        );
      });
    });
  deployments
    .command('source')
    .description('where a tracked repository reads its deployments from: auto, deployments-api, workflow-runs, tags, merges')
    .argument('<repository>', 'owner/name')
    .argument('<source>', 'auto | deployments-api | workflow-runs | tags | merges')
    .option('--workflow <pattern>', 'workflow-runs: the workflows that deploy, a pattern over their name or file (default: deploy)')
    .option('--tags <pattern>', 'tags: the release tags, a pattern over their names (default: ^v?\\d+\\.\\d+)')
    .action(async (repository: string, source: string, opts: { workflow?: string; tags?: string }) => {
      if (opts.workflow && opts.tags) throw new Error('--workflow and --tags: give the pattern of the source set, one of them');
      const pattern = opts.workflow ?? opts.tags ?? null;
      await withOrm(async (orm) => {
        const name = await setDeploymentSource(orm.em.fork(), repository, { source, pattern });
        const what = opts.workflow ? ` (workflows matching ${opts.workflow})` : opts.tags ? ` (tags matching ${opts.tags})` : '';
        console.log(`${name}: deployments from ${source}${what}; the next sync reads them from there`);
      });
    });
}
