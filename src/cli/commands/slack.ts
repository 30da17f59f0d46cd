import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { KeyRing } from '../../crypto/secrets.js';
import { installSlackIntegration, integrationSettings, notificationSettingsSchema, type NotificationSettings } from '../../slack/index.js';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { slackMapUsers } from '../../jobs/index.js';
import { issueLines } from '../../lib/zod-issues.js';
import { withOrm, withProducer } from '../context.js';

/** `aexy slack install`: store a workspace integration, its token encrypted. */
export function registerSlack(program: Command): void {
  const slackCmd = program.command('slack').description('Slack integrations');
  slackCmd
    .command('install')
    .description('store a workspace integration; the bot token is read from SLACK_BOT_TOKEN (never from argv) and encrypted')
    .requiredOption('--organization <uuid>', 'Aexy organization id')
    .requiredOption('--team-id <id>', 'Slack team (workspace) id, e.g. T012AB3C4')
    .option('--team-name <name>')
    .option('--channel <id>', 'default channel id, e.g. C012AB3C4')
    .action(async (opts: { organization: string; teamId: string; teamName?: string; channel?: string }) => {
      const token = process.env.SLACK_BOT_TOKEN;
      if (!token) throw new Error('Set SLACK_BOT_TOKEN in the environment (tokens are not accepted as arguments: they would end up in shell history and ps)');
      if (!/^[0-9a-f-]{36}$/i.test(opts.organization)) throw new Error('--organization must be a UUID');
      const config = loadConfig();
      const ring = KeyRing.fromConfig(config.ENCRYPTION_KEYS);
      await withOrm(async (orm) => {
        const id = await installSlackIntegration(orm.em.fork(), ring, {
          organizationId: opts.organization,
          teamId: opts.teamId,
          teamName: opts.teamName,
          botToken: token,
          defaultChannelId: opts.channel,
        });
        console.log(`slack integration ${opts.teamId} stored as ${id} (token encrypted with key ${ring.activeKeyId})`);
        // Its people: developers mapped to Slack users by email (users.lookupByEmail). The integration
        // is stored either way; without Redis the daily run maps them.
        try {
          const job = await withProducer((producer) => producer.enqueue(slackMapUsers, { organizationId: opts.organization }), config);
          console.log(`queued ${slackMapUsers.name} as job ${job.id}: developers are mapped to Slack users by email`);
        } catch (err) {
          console.error(`warning: could not queue ${slackMapUsers.name} (${(err as Error).message}); the daily run (07:00 UTC) will map users`);
        }
      }, config);
    });
  slackCmd
    .command('settings')
    .description("show the organization's notification_settings, or replace them with a validated JSON file (see README: Slack routing)")
    .requiredOption('--organization <uuid>', 'Aexy organization id')
    .option('--file <path>', 'a JSON file with the new settings ("-" for standard input)')
    .action(async (opts: { organization: string; file?: string }) => {
      if (!/^[0-9a-f-]{36}$/i.test(opts.organization)) throw new Error('--organization must be a UUID');
      let settings: NotificationSettings | undefined;
      if (opts.file !== undefined) {
        const text = opts.file === '-' ? readFileSync(0, 'utf8') : await readFile(opts.file, 'utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (err) {
          throw new Error(`${opts.file} is not JSON: ${(err as Error).message}`);
        }
        const parsed = notificationSettingsSchema.safeParse(json);
        if (!parsed.success) throw new Error(`Invalid notification_settings:\n${issueLines(parsed.error).join('\n')}`);
        settings = parsed.data;
      }
      await withOrm(async (orm) => {
        const row = await integrationSettings(orm.em.fork(), opts.organization, settings);
        if (!row) throw new Error(`organization ${opts.organization} has no active Slack integration (aexy slack install)`);
        if (settings) console.log(`notification_settings of Slack integration ${row.team_id} replaced`);
        console.log(JSON.stringify(row.notification_settings, null, 2));
      });
    });
}
