import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { KeyRing } from '../../crypto/secrets.js';
import { installSlackIntegration } from '../../slack/integrations.js';
import { withOrm } from '../context.js';

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
      }, config);
    });
}
