import { z } from 'zod';
import { TransientError } from '../../errors/index.js';
import { formatIssues } from '../../lib/zod-issues.js';

/**
 * The parts of GitHub's REST responses we rely on (shapes from docs.github.com/rest), validated so a
 * malformed or truncated answer becomes a clear, retryable error instead of a row of nulls.
 * Unknown fields pass through untouched.
 */
export { GITHUB_LOGIN } from './names.js';

export const ghUser = z.looseObject({
  id: z.number().int(),
  login: z.string().min(1),
  avatar_url: z.string().nullish(),
  type: z.string().nullish(),
});
export type GhUser = z.infer<typeof ghUser>;

const gitActor = z.looseObject({ name: z.string().nullish(), email: z.string().nullish(), date: z.string().nullish() }).nullish();

export const ghCommitListItem = z.looseObject({
  sha: z.string().regex(/^[0-9a-f]{40}$/, 'must be a 40-character hex sha'),
  commit: z.looseObject({ message: z.string().nullish(), author: gitActor, committer: gitActor }),
  author: ghUser.nullish(),
  committer: ghUser.nullish(),
  /** Two or more: a merge commit. */
  parents: z.array(z.looseObject({ sha: z.string().regex(/^[0-9a-f]{40}$/, 'must be a 40-character hex sha') })),
});
export type GhCommitListItem = z.infer<typeof ghCommitListItem>;

export const ghCommitFile = z.looseObject({
  filename: z.string(),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  status: z.string().nullish(),
});

export const ghCommitDetail = ghCommitListItem.extend({
  stats: z.looseObject({ additions: z.number().int(), deletions: z.number().int(), total: z.number().int().nullish() }).nullish(),
  files: z.array(ghCommitFile).nullish(),
});
export type GhCommitDetail = z.infer<typeof ghCommitDetail>;

export const ghRepository = z.looseObject({ full_name: z.string(), default_branch: z.string().min(1) });
export const ghBranch = z.looseObject({ name: z.string(), commit: z.looseObject({ sha: z.string().regex(/^[0-9a-f]{40}$/) }) });
export const ghCompare = z.looseObject({
  status: z.enum(['diverged', 'ahead', 'behind', 'identical']),
  ahead_by: z.number().int().nonnegative(),
  behind_by: z.number().int().nonnegative(),
  total_commits: z.number().int().nonnegative(),
  commits: z.array(ghCommitListItem),
});
export type GhCompare = z.infer<typeof ghCompare>;

export const ghPull = z.looseObject({
  id: z.number().int(),
  number: z.number().int(),
  state: z.enum(['open', 'closed']),
  title: z.string().nullish(),
  body: z.string().nullish(),
  user: ghUser.nullish(),
  created_at: z.string(),
  updated_at: z.string(),
  closed_at: z.string().nullish(),
  merged_at: z.string().nullish(),
  labels: z.array(z.looseObject({ name: z.string() })).nullish(),
  requested_reviewers: z.array(ghUser).nullish(),
  additions: z.number().int().nullish(),
  deletions: z.number().int().nullish(),
  changed_files: z.number().int().nullish(),
  commits: z.number().int().nullish(),
  comments: z.number().int().nullish(),
  review_comments: z.number().int().nullish(),
});
export type GhPull = z.infer<typeof ghPull>;

export const ghReview = z.looseObject({
  id: z.number().int(),
  user: ghUser.nullish(),
  state: z.string(),
  body: z.string().nullish(),
  submitted_at: z.string().nullish(),
});
export type GhReview = z.infer<typeof ghReview>;

/** A deployment of the Deployments API (`GET /repos/{o}/{r}/deployments`). */
export const ghDeployment = z.looseObject({
  id: z.number().int(),
  node_id: z.string().nullish(),
  sha: z.string().regex(/^[0-9a-f]{40}$/, 'must be a 40-character sha'),
  ref: z.string().nullish(),
  environment: z.string().min(1),
  created_at: z.string(),
});
export type GhDeployment = z.infer<typeof ghDeployment>;
/** A GitHub Actions workflow run (`GET /repos/{o}/{r}/actions/runs`). */
export const ghWorkflowRun = z.looseObject({
  id: z.number().int(),
  name: z.string().nullish(),
  path: z.string().nullish(),
  head_branch: z.string().nullish(),
  head_sha: z.string().regex(/^[0-9a-f]{40}$/, 'must be a 40-character sha'),
  status: z.string(),
  conclusion: z.string().nullish(),
  created_at: z.string(),
  updated_at: z.string(),
  run_started_at: z.string().nullish(),
});
export type GhWorkflowRun = z.infer<typeof ghWorkflowRun>;
export const ghDeploymentStatus = z.looseObject({ id: z.number().int(), state: z.string(), created_at: z.string() });

export const ghFullUser = ghUser.extend({
  name: z.string().nullish(),
  email: z.string().nullish(),
  bio: z.string().nullish(),
  location: z.string().nullish(),
  company: z.string().nullish(),
  created_at: z.string().nullish(),
});
export type GhFullUser = z.infer<typeof ghFullUser>;

/** Parse a GitHub payload; a mismatch is transient (a proxy or truncated body), retried, then failed with this message. */
export function parseGitHub<S extends z.ZodType>(schema: S, data: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(data);
  if (!r.success) {
    throw new TransientError(`Malformed GitHub response for ${what}: ${formatIssues(r.error, 3)}`);
  }
  return r.data;
}

/** An issue (`GET /repos/{o}/{r}/issues`); one with `pull_request` is a pull request. */
export const ghIssue = z.looseObject({
  id: z.number().int(),
  node_id: z.string().nullish(),
  number: z.number().int(),
  title: z.string().nullish(),
  user: ghUser.nullish(),
  assignees: z.array(ghUser).nullish(),
  labels: z.array(z.union([z.string(), z.looseObject({ name: z.string() })])).nullish(),
  state: z.enum(['open', 'closed']),
  state_reason: z.string().nullish(),
  created_at: z.string(),
  updated_at: z.string(),
  closed_at: z.string().nullish(),
  pull_request: z.unknown().optional(),
});
export type GhIssue = z.infer<typeof ghIssue>;
