import { InvalidArgumentError, type Command } from 'commander';
import { exportStatus, requestExport } from '../../exports/index.js';
import { waitAndReport, withOrm, withProducer } from '../context.js';

/** `aexy export <type> --format f`: request an export and queue it. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'request an export (commits, pull_requests, code_reviews, developers, team_metrics, learning_paths, deployments, incidents, pr_lifecycle, issues) and queue it',
    )
    .argument('<type>', 'export type')
    .requiredOption('--format <format>', 'csv or json')
    .option('--days <n>', 'only the last n days (a whole number from 1 to 3650)', (v) => {
      // Not Number(v): "abc" would be NaN and "0" falsy, and either would silently export everything.
      if (!/^\d+$/.test(v.trim()) || Number(v) < 1 || Number(v) > 3650) throw new InvalidArgumentError('must be a whole number of days from 1 to 3650');
      return Number(v);
    })
    .option('--developer <uuid...>', 'only these developers')
    .option('--team <uuid...>', 'only members of these teams')
    .option('--organization <uuid>', "the organization the export is of (default: the requester's)")
    .option('--requested-by <uuid>', 'the developer the export is for (they are told on Slack when it is ready)')
    .option('--wait', 'wait for the file and print where it is')
    .action(
      async (
        type: string,
        opts: { format: string; days?: number; developer?: string[]; team?: string[]; organization?: string; requestedBy?: string; wait?: boolean },
      ) => {
        await withOrm((orm, config) =>
          withProducer(async (producer) => {
            const id = await requestExport(orm.em.fork(), producer, {
              exportType: type as never,
              format: opts.format as never,
              config: {
                ...(opts.days !== undefined ? { date_range: { days: opts.days } } : {}),
                ...(opts.developer ? { developer_ids: opts.developer } : {}),
                ...(opts.team ? { team_ids: opts.team } : {}),
                ...(opts.organization ? { organization_id: opts.organization } : {}),
              },
              ...(opts.requestedBy ? { requestedBy: opts.requestedBy } : {}),
            });
            console.log(`export ${id} queued (${type}, ${opts.format})`);
            if (opts.wait) {
              const job = (await producer.queue('exports').getJobs(['waiting', 'active', 'delayed', 'completed'])).find((j) => j.data.exportJobId === id);
              if (job) await waitAndReport(job, config);
              const row = await exportStatus(orm.em.fork(), id);
              console.log(
                row?.status === 'completed' ? `file: ${row.file_path} (${row.file_size_bytes} bytes)` : `export ${row?.status}: ${row?.error_message}`,
              );
            }
          }, config),
        );
      },
    );
}
