import { ErrorCode } from '@slack/web-api';
import { sql } from '../db/sql.js';
import { organizationMembersSql } from '../organizations/members.js';
import type { Needs } from '../jobs/helpers.js';
import { slackFor, translateSlackError } from './client.js';
import { activeIntegrationFor, NO_INTEGRATION } from './post.js';

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
  const candidates = await sql<{ id: string; emails: string[] }>(
    ctx.em,
    `WITH members AS (SELECT DISTINCT m AS id FROM ${organizationMembersSql('?::uuid')} AS o(m)),
          emails AS (SELECT d.id, lower(d.email) AS email FROM developers d JOIN members USING (id) WHERE d.email IS NOT NULL
                     UNION SELECT i.developer_id, lower(i.email) FROM developer_identities i JOIN members m ON m.id = i.developer_id),
          single AS (SELECT email, min(id::text)::uuid AS id FROM emails GROUP BY email HAVING count(DISTINCT id) = 1)
     SELECT s.id::text AS id, array_agg(s.email ORDER BY s.email) AS emails FROM single s
      WHERE s.email NOT LIKE '%@users.noreply.github.com' AND NOT EXISTS (SELECT 1 FROM developer_bots b WHERE b.developer_id = s.id)
      GROUP BY s.id ORDER BY s.id`,
    [organizationId],
  );
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
    const rows = await sql(
      ctx.em,
      `UPDATE slack_integrations SET user_mappings = coalesce(user_mappings, '{}'::jsonb) || jsonb_build_object(?::text, ?::text), updated_at = now()
        WHERE id = ? AND NOT jsonb_exists(coalesce(user_mappings, '{}'::jsonb), ?) RETURNING id`,
      [user, dev.id, integrationId, user],
    );
    if (rows.length) {
      found += 1;
      mapped.add(dev.id);
    }
  }
  return { organizationId, mapped: found, notFound, alreadyMapped: candidates.filter((c) => mapped.has(c.id)).length - found };
}
