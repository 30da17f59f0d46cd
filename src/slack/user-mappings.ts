import { ErrorCode } from '@slack/web-api';
import type { Needs } from '../jobs/helpers.js';
import { slackFor, translateSlackError } from './client.js';
import { activeIntegrationFor, NO_INTEGRATION } from './post.js';
import { addUserMapping, mappableMembers } from './queries.js';

/**
 * Fill an organization's `user_mappings` ({slack_user_id: developer_id}) by email: for each member of
 * its teams not mapped yet, each address we know for them (developers.email and developer_identities,
 * GitHub's noreply addresses left out, an address two members share left out) is looked up with
 * `users.lookupByEmail` in the organization's workspace. A match is written at once (a rate limit
 * parks the job; the next run skips what is done). Mappings set by hand are never replaced: a Slack
 * user already mapped to someone keeps that mapping.
 */
export async function mapUsersByEmail(ctx: Needs<'em' | 'config' | 'signal'>, organizationId: string) {
  const integrationId = await activeIntegrationFor(ctx.em, organizationId);
  if (!integrationId) return { skipped: NO_INTEGRATION };
  const { client, integration } = await slackFor(ctx.em, ctx.config, integrationId);
  const mapped = new Set(Object.values(integration.user_mappings ?? {}));
  const candidates = await mappableMembers(ctx.em, organizationId);
  let found = 0;
  let notFound = 0;
  for (const dev of candidates) {
    if (mapped.has(dev.id)) continue;
    ctx.signal.throwIfAborted();
    let user: string | undefined;
    for (const email of dev.emails) {
      try {
        user = (await client.users.lookupByEmail({ email })).user?.id;
      } catch (err) {
        if (
          (err as { code?: string; data?: { error?: string } }).code === ErrorCode.PlatformError &&
          (err as { data: { error: string } }).data.error === 'users_not_found'
        )
          continue;
        throw await translateSlackError(ctx.em, integrationId, err);
      }
      if (user) break;
    }
    if (!user) {
      notFound += 1;
      continue;
    }
    if (await addUserMapping(ctx.em, integrationId, user, dev.id)) {
      found += 1;
      mapped.add(dev.id);
    }
  }
  return { organizationId, mapped: found, notFound, alreadyMapped: candidates.filter((c) => mapped.has(c.id)).length - found };
}
