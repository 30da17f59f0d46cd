/** The people feature's public module: developers by GitHub id, identities and attribution, bots, the follow-up marks and their drain, GitHub users. */
export { botReason } from './bots.js';
export { drainFollowUps } from './drain.js';
export { syncGitHubUser } from './github-user.js';
export {
  learnIdentities,
  learnLoginNoreply,
  normaliseEmail,
  parseCoAuthors,
  parseNoreply,
  reattribute,
  resolveEmails,
  type LearntIdentity,
} from './identities.js';
export { ensureDevelopersById, upsertDevelopers, type DeveloperRow } from './sql/developers.js';
export { clearDirty, dirtyToken, markDirty } from './sql/follow-ups.js';
