import { ghFullUser, githubFor, GitHubPermanentError, parseGitHub, type GitHubHelpers } from '../github/api/index.js';
import type { Needs } from '../jobs/helpers.js';
import { storableTextOrNull } from '../lib/text.js';
import { developerRefreshProfile } from '../developers/jobs/developer-refresh-profile.contract.js';
import { developerIdByLogin, updateDeveloperProfile, upsertDevelopers } from './sql/developers.js';
import { markDirty, recordUserSync } from './sql/follow-ups.js';
import { learnIdentities, learnLoginNoreply, normaliseEmail, reattribute } from './identities.js';

/**
 * Create or update a developer from their GitHub user (name, bio, company, account creation for
 * the seniority's tenure …), learn their public email as an identity (their unattributed commits
 * are attributed), then refresh the profile. A login GitHub does not know is recorded as missing
 * and not asked for again.
 */
export async function syncGitHubUser(ctx: GitHubHelpers & Needs<'progress' | 'enqueueAfter'>, login: string) {
  const octokit = await githubFor(ctx);
  let raw: unknown;
  try {
    raw = (await octokit.request('GET /users/{username}', { username: login })).data;
  } catch (err) {
    if (!(err instanceof GitHubPermanentError && err.status === 404)) throw err;
    const known = await developerIdByLogin(ctx.em, login);
    if (known) await recordUserSync(ctx.em, known, 'missing');
    ctx.log.warn({ login }, 'GitHub has no such user; recorded as missing');
    return { developerId: known, login, missing: true };
  }
  const user = parseGitHub(ghFullUser, raw, `user ${login}`);
  await ctx.progress(50);
  // VARCHAR(255) columns take at most 255 characters; NULs and broken surrogates are dropped.
  const profile = {
    name: storableTextOrNull(user.name, 255),
    email: storableTextOrNull(user.email, 255),
    bio: storableTextOrNull(user.bio),
    location: storableTextOrNull(user.location, 255),
    company: storableTextOrNull(user.company, 255),
    createdAt: user.created_at ?? null,
  };
  const id = await ctx.em.transactional(async (tx) => {
    const ids = await upsertDevelopers(tx, [{ github_id: user.id, github_username: user.login, avatar_url: user.avatar_url ?? null }]);
    const developerId = ids.get(user.id)!;
    await updateDeveloperProfile(tx, developerId, profile);
    await recordUserSync(tx, developerId, 'done');
    const email = normaliseEmail(user.email);
    // Their public email, and their login's older noreply address, on earlier unattributed work.
    const fresh = email ? await learnIdentities(tx, [{ email, developer_id: developerId, source: 'profile' }]) : [];
    fresh.push(...(await learnLoginNoreply(tx, [developerId])));
    await markDirty(tx, await reattribute(tx, fresh));
    return developerId;
  });
  ctx.enqueueAfter(developerRefreshProfile, { developerId: id });
  return { developerId: id, login: user.login };
}
