import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { DeploymentSource } from '../../entities/delivery.js';
import { PermanentError } from '../../errors/index.js';
import { formatIssues } from '../../lib/zod-issues.js';
import { deploymentSetting, latestDeployments, writeDeploymentSetting, type StoredDeployment } from '../sql/deployments.js';
import { trackedName } from '../sql/tracked.js';
import { DEFAULT_TAG_PATTERN, DEFAULT_WORKFLOW_PATTERN } from './deployment-stream.js';
import { isRegularExpression } from '../../lib/patterns.js';

/** The sources a repository can be set to. */
const SETTABLE = ['auto', 'deployments-api', 'workflow-runs', 'tags', 'merges'] as const;

const settingSchema = z
  .object({
    /** `auto`: chosen by the sync (the Deployments API, else deploying workflow runs, else release tags, else merges to the default branch). */
    source: z.enum(SETTABLE, { message: `must be ${SETTABLE.join(', ')}` }),
    /** workflow-runs: over the workflows' names and files; tags: over the tag names */
    pattern: z.string().min(1).max(255).refine(isRegularExpression, 'must be a regular expression').nullish(),
  })
  .strict();

/**
 * The producer API for where a tracked repository's deployments come from: `auto` (the sync chooses
 * and records its choice) or a source, with its pattern (`workflow-runs`: over the workflows' names
 * and files; `tags`: over the tag names). Refused with each problem named; a repository not tracked
 * is refused too.
 */
export async function setDeploymentSource(em: EntityManager, repository: string, input: { source: string; pattern?: string | null }): Promise<string> {
  const parsed = settingSchema.safeParse(input);
  if (!parsed.success) throw new PermanentError(`deployment source of ${repository}: ${formatIssues(parsed.error)}`);
  const name = await trackedName(em, repository);
  if (!name) throw new PermanentError(`${repository} is not a tracked repository`);
  const { source, pattern } = parsed.data;
  await writeDeploymentSetting(em, name, { source: source === 'auto' ? null : source, workflowPattern: pattern ?? null });
  return name;
}

/** A repository's deployment source as set and as last chosen, with the pattern in use (the workflows', or with tags the tags'). */
export async function deploymentSourceOf(
  em: EntityManager,
  repository: string,
): Promise<{ set: DeploymentSource | 'auto'; used: string | null; pattern: string }> {
  const s = await deploymentSetting(em, repository);
  const used = s.source ?? s.chosen_source;
  return { set: s.source ?? 'auto', used, pattern: s.workflow_pattern ?? (used === 'tags' ? DEFAULT_TAG_PATTERN : DEFAULT_WORKFLOW_PATTERN) };
}

/** The newest stored deployments, of one repository or all. */
export async function recentDeployments(em: EntityManager, repository: string | null, limit = 20): Promise<StoredDeployment[]> {
  return latestDeployments(em, repository, limit);
}
