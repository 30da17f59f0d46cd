import { defineJob } from '../../jobs/handler.js';
import { syncTeams } from '../sync/teams.js';
import { githubSyncTeams } from './github-sync-teams.contract.js';

export const githubSyncTeamsJob = defineJob(githubSyncTeams, ({ org, organizationId }, ctx) => syncTeams(ctx, org, organizationId));
