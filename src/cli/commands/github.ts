import type { Command } from 'commander';
import { z } from 'zod';
import { linkGitHubAccount } from '../../github/sync/index.js';
import { withOrm } from '../context.js';

/** `aexy github link <login> --organization <uuid>`: which organization a GitHub account's webhooks track repositories for. */
export function registerGitHub(program: Command): void {
  program
    .command('github')
    .description('GitHub accounts and organizations')
    .command('link')
    .description('link a GitHub organization (or user) to an organization: its installation and repository webhooks track repositories for it')
    .argument('<login>', 'GitHub organization or user login')
    .requiredOption('--organization <uuid>', 'the organization')
    .action(async (login: string, opts: { organization: string }) => {
      if (!z.uuid().safeParse(opts.organization).success) throw new Error('--organization: must be an organization UUID');
      await withOrm(async (orm) => {
        const before = await linkGitHubAccount(orm.em.fork(), login, opts.organization, { replace: true });
        console.log(
          before && before !== opts.organization
            ? `GitHub account ${login} now linked to organization ${opts.organization} (was ${before})`
            : `GitHub account ${login} linked to organization ${opts.organization}`,
        );
      });
    });
}
