import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { KeyRing } from '../../crypto/secrets.js';
import { installJiraSite, jiraProjects, mapJiraProject } from '../../jira/index.js';
import { jiraSync } from '../../jobs/index.js';
import { waitAndReport, withOrm, withProducer } from '../context.js';

/** `aexy jira install|sync`: an organization's Jira Cloud site, and the sync of its issues. */
export function registerJira(program: Command): void {
  const jira = program.command('jira').description("Jira Cloud: install an organization's site, its projects' repositories, sync its issues");
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
    .command('projects')
    .description("an organization's Jira projects and the repository each one's incidents are attributed to; --key with --repository (or --none) sets it")
    .requiredOption('--organization <uuid>', 'the organization')
    .option('--key <KEY>', 'a project key')
    .option('--repository <owner/name>', "one of the organization's repositories: the deployments its incidents are attributed to")
    .option('--none', "stop attributing the project's incidents")
    .action(async (opts: { organization: string; key?: string; repository?: string; none?: boolean }) => {
      if (opts.key && !opts.repository && !opts.none) throw new Error('--key: give --repository <owner/name> or --none');
      if (!opts.key && (opts.repository || opts.none)) throw new Error('--repository and --none need --key');
      await withOrm(async (orm) => {
        const em = orm.em.fork();
        if (opts.key) await mapJiraProject(em, opts.organization, opts.key, opts.none ? null : opts.repository!);
        const rows = await jiraProjects(em, opts.organization);
        if (rows.length === 0) console.log(`organization ${opts.organization} has no Jira projects yet`);
        else
          console.table(rows.map((r) => ({ project: r.project_key, issues: r.issues, 'incidents attributed to': r.repository_full_name ?? 'no repository' })));
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
