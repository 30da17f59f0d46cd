import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { KeyRing } from '../../crypto/secrets.js';
import { reencryptSecrets } from '../../slack/index.js';
import { withOrm } from '../context.js';

/** `aexy secrets reencrypt`: re-encrypt stored secrets after a key rotation. */
export function registerSecrets(program: Command): void {
  program
    .command('secrets')
    .description('secrets at rest')
    .command('reencrypt')
    .description('re-encrypt stored secrets with the active key of ENCRYPTION_KEYS (after a rotation)')
    .action(async () => {
      const config = loadConfig();
      const ring = KeyRing.fromConfig(config.ENCRYPTION_KEYS);
      await withOrm(async (orm) => {
        const { reencrypted, failed } = await reencryptSecrets(orm.em.fork(), ring);
        for (const f of failed) console.error(`could not re-encrypt the token of Slack team ${f.teamId} (${f.id}): ${f.error}`);
        console.log(`re-encrypted ${reencrypted} secret(s) with key ${ring.activeKeyId}${failed.length ? `; ${failed.length} could not be read` : ''}`);
        if (failed.length) process.exitCode = 1;
      }, config);
    });
}
