import { defineJob } from '../../jobs/handler.js';
import { syncRepository } from '../sync/repository.js';
import { githubSyncRepo } from './github-sync-repo.contract.js';

export const githubSyncRepoJob = defineJob(githubSyncRepo, ({ repository, streams }, ctx) => syncRepository(ctx, repository, streams));
