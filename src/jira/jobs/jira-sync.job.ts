import { defineJob } from '../../jobs/handler.js';
import { syncJira } from '../sync.js';
import { jiraSync } from './jira-sync.contract.js';

export const jiraSyncJob = defineJob(jiraSync, ({ organizationId }, ctx) => syncJira(ctx, organizationId));
