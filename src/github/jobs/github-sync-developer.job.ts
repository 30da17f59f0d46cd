import { defineJob } from '../../jobs/handler.js';
import { syncGitHubUser } from '../../people/index.js';
import { githubSyncDeveloper } from './github-sync-developer.contract.js';

export const githubSyncDeveloperJob = defineJob(githubSyncDeveloper, ({ login }, ctx) => syncGitHubUser(ctx, login));
