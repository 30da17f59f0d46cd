import type { Command } from 'commander';
import { organizationPolicy, setOrganizationPolicy } from '../../organizations/index.js';
import { withOrm } from '../context.js';

/** `aexy org policy`: an organization's policy for numbers about people. */
export function registerOrg(program: Command): void {
  const org = program.command('org').description('organizations: their policy for numbers about people');
  org
    .command('policy')
    .description("show or set an organization's policy: who sees numbers per person, and the fewest people a team number may be about")
    .requiredOption('--organization <uuid>', 'the organization')
    .option('--individual-metrics <mode>', 'all (the default): wherever its reports go; leads: to its teams’ leads only; off: to no one')
    .option('--min-group-size <n>', 'a team-level number about fewer people is withheld (default 3)')
    .action(async (opts: { organization: string; individualMetrics?: string; minGroupSize?: string }) => {
      await withOrm(async (orm) => {
        const em = orm.em.fork();
        const p =
          opts.individualMetrics !== undefined || opts.minGroupSize !== undefined
            ? await setOrganizationPolicy(em, opts.organization, { individualMetrics: opts.individualMetrics, minGroupSize: opts.minGroupSize })
            : await organizationPolicy(em, opts.organization);
        console.log(`organization ${opts.organization}: individual_metrics ${p.individual_metrics}, min_group_size ${p.min_group_size}`);
      });
    });
}
