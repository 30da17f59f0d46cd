import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { recentIncidents, recordIncident } from '../../delivery/index.js';
import { listLimit, withOrm } from '../context.js';

/** `aexy incidents [list|record]`: every incident with the deployment it is attributed to, and recording one as the webhook would. */
export function registerIncidents(program: Command): void {
  const incidents = program.command('incidents').description('incidents: failed deployments, reverts of deployed work, reported incidents');
  incidents
    .command('list', { isDefault: true })
    .description('the newest incidents (of one repository), each with the deployment it is attributed to')
    .option('--repository <owner/name>', 'one repository')
    .option('--limit <n>', 'how many', '20')
    .action(async (opts: { repository?: string; limit: string }) => {
      const limit = listLimit(opts.limit);
      await withOrm(async (orm) => {
        const rows = await recentIncidents(orm.em.fork(), opts.repository ?? null, limit);
        if (rows.length === 0) console.log(opts.repository ? `no incidents of ${opts.repository}` : 'no incidents');
        else
          console.table(
            rows.map((r) => ({
              repository: r.repository_full_name,
              kind: r.kind,
              title: r.title ?? '',
              deployment: r.deployment_external_id ? `${r.deployment_source} ${r.deployment_external_id}` : 'none yet',
              opened: new Date(r.opened_at).toISOString(),
              resolved: r.resolved_at ? new Date(r.resolved_at).toISOString() : 'open',
            })),
          );
      });
    });
  incidents
    .command('record')
    .description('record an incident from a JSON file shaped like the incident webhook’s body (the same id again updates it)')
    .argument('<file>', 'the JSON body')
    .action(async (file: string) => {
      const body: unknown = JSON.parse(await readFile(file, 'utf8'));
      await withOrm(async (orm) => {
        const { repository, outcome } = await recordIncident(orm.em.fork(), body);
        console.log(`${repository}: incident ${outcome}`);
      });
    });
}
