import { z } from 'zod';
import { githubFor, type GitHubHelpers } from '../api/for-job.js';
import { ghUser, parseGitHub } from '../api/schemas.js';
import { linkGitHubAccount } from './tracked.js';
import { insertTeam, lockTeam, updateTeam } from '../sql/teams.js';
import { slackMapUsers } from '../../slack/jobs/slack-map-users.contract.js';
import type { Needs } from '../../jobs/helpers.js';
import { storableText, storableTextOrNull } from '../../lib/text.js';
import { developerRefreshProfile } from '../../developers/jobs/developer-refresh-profile.contract.js';
import { upsertDevelopers } from '../../people/index.js';
import { PermanentError } from '../../errors/index.js';

const ghTeam = z.looseObject({ id: z.number().int(), slug: z.string(), name: z.string(), description: z.string().nullish() }).transform((t) => ({
  ...t,
  name: storableText(t.name, 255),
  description: storableTextOrNull(t.description),
}));

/**
 * Keep teams in step with the organization's GitHub teams: one row per GitHub team (matched by
 * organization and name), developer_ids = its members (developers created as needed). A row is only
 * written when its membership or description changed. New members get their profile computed. The
 * GitHub organization is linked to the organization on the first run (its webhooks then track
 * repositories for it); one linked to another organization is refused.
 */
export async function syncTeams(ctx: GitHubHelpers & Needs<'progress' | 'enqueueAfter'>, org: string, organizationId: string) {
  // A GitHub organization is one organization's: mirroring it into another would make its people
  // members of both (and their work visible to both). Refused; an operator can move the link.
  const linked = await linkGitHubAccount(ctx.em, org, organizationId, { replace: false });
  if (linked && linked !== organizationId) {
    throw new PermanentError(
      `GitHub organization ${org} is linked to organization ${linked}, not ${organizationId}: its teams are not mirrored there (aexy github link ${org} --organization <uuid> moves the link)`,
    );
  }
  const octokit = await githubFor(ctx, org);
  const teams = (await octokit.paginate('GET /orgs/{org}/teams', { org, per_page: 100 })).map((t) => parseGitHub(ghTeam, t, `teams of ${org}`));
  let written = 0;
  const newMembers = new Set<string>();
  for (const [i, team] of teams.entries()) {
    const members = (await octokit.paginate('GET /orgs/{org}/teams/{team_slug}/members', { org, team_slug: team.slug, per_page: 100 })).map((u) =>
      parseGitHub(ghUser, u, `members of ${org}/${team.slug}`),
    );
    await ctx.em.transactional(async (tx) => {
      const devs = await upsertDevelopers(
        tx,
        members.map((u) => ({ github_id: u.id, github_username: u.login, avatar_url: u.avatar_url ?? null })),
      );
      const ids = [...new Set(members.map((u) => devs.get(u.id)!))].sort();
      const existing = await lockTeam(tx, organizationId, team.name);
      if (!existing) {
        await insertTeam(tx, { name: team.name, description: team.description ?? null, organizationId, developerIds: ids });
        ids.forEach((id) => newMembers.add(id));
        written += 1;
        return;
      }
      if (await updateTeam(tx, existing.id, { description: team.description ?? null, developerIds: ids })) written += 1;
      const before = new Set(existing.developerIds);
      ids.filter((id) => !before.has(id)).forEach((id) => newMembers.add(id));
    });
    await ctx.progress(Math.round(((i + 1) / teams.length) * 100));
  }
  for (const developerId of newMembers) ctx.enqueueAfter(developerRefreshProfile, { developerId });
  // New members of the organization: find their Slack users (a no-op without an integration).
  if (newMembers.size) ctx.enqueueAfter(slackMapUsers, { organizationId });
  return { org, teams: teams.length, written };
}
