import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { KeyRing } from '../../crypto/secrets.js';
import { installJiraSite } from '../../jira/index.js';
import { jiraSync } from '../../jobs/index.js';
import { waitAndReport, withOrm, withProducer } from '../context.js';

/** `aexy jira install|sync`: an organization's Jira Cloud site, and the sync of its issues. */
export function registerJira(program: Command): void {
  const jira = program.command('jira').description("Jira Cloud: install an organization's site, sync its issues");
  jira
    .command('install')
    .description("install an organization's Jira Cloud site (the token is checked, then stored encrypted)")
    .requiredOption('--organization <uuid>', 'the organization')
    .requiredOption('--url <url>', 'the site, https://<site>.atlassian.net')
    .requiredOption('--email <email>', 'the account the API token belongs to')
    .requiredOption('--token-file <path>', 'a file holding the API token (- for standard input)')
    .option('--story-points-field <id>', 'the story points custom field (customfield_10016)')
    .option('--jql <jql>', 'read only the issues this JQL selects (a project, a filter)')
    .action(async (opts: { organization: string; url: string; email: string; tokenFile: string; storyPointsField?: string; jql?: string }) => {
      const token = (opts.tokenFile === '-' ? await readStdin() : await readFile(opts.tokenFile, 'utf8')).trim();
      await withOrm(async (orm, config) => {
        const site = await installJiraSite(orm.em.fork(), KeyRing.fromConfig(config.ENCRYPTION_KEYS), {
          organizationId: opts.organization,
          baseUrl: opts.url,
          email: opts.email,
          token,
          storyPointsField: opts.storyPointsField ?? null,
          jql: opts.jql ?? null,
        });
        console.log(
          `${site.baseUrl}: installed for organization ${opts.organization} as ${site.account}; its issues are read by jira.sync (hourly, or aexy jira sync)`,
        );
      });
    });
  jira
    .command('sync')
    .description("queue an incremental sync of an organization's Jira issues")
    .requiredOption('--organization <uuid>', 'the organization')
    .option('--wait', 'wait for the sync to finish')
    .action(async (opts: { organization: string; wait?: boolean }) => {
      await withProducer(async (producer, config) => {
        const job = await producer.enqueue(jiraSync, { organizationId: opts.organization });
        console.log(`queued ${jiraSync.name} for organization ${opts.organization} as job ${job.id}`);
        if (opts.wait) await waitAndReport(job, config);
      });
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
