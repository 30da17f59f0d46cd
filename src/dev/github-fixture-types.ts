// What the GitHub stand-in serves (not used in production paths).

export interface StandInUser {
  id: number;
  login: string;
  name?: string;
  email?: string | null;
  bio?: string | null;
  location?: string | null;
  company?: string | null;
  created_at?: string;
  /** 'Bot' for app accounts such as dependabot[bot]. */
  type?: 'User' | 'Bot';
}
export interface StandInFile {
  filename: string;
  additions: number;
  deletions: number;
}
export interface StandInCommit {
  sha: string;
  message: string;
  /** The GitHub account the author email is linked to, or null. */
  author: StandInUser | null;
  /** The git author email (default: the linked user's, else an unlinked address). */
  authorEmail?: string;
  authorDate: string;
  committerDate: string;
  files: StandInFile[];
  /** Parent shas; by default the commits form one line in committer-date order. */
  parents?: string[];
}
export interface StandInReview {
  id: number;
  user: StandInUser;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  body: string;
  submitted_at: string;
  /** Its review comments (GraphQL's `comments.totalCount`); by default all of the PR's on its first submitted review. */
  comments?: number;
}
export interface StandInPull {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: StandInUser;
  state: 'open' | 'closed';
  created_at: string;
  updated_at: string;
  merged_at: string | null;
  closed_at: string | null;
  labels: string[];
  requested_reviewers: StandInUser[];
  additions: number;
  deletions: number;
  changed_files: number;
  commits: number;
  comments: number;
  review_comments: number;
  reviews: StandInReview[];
  /** Still a draft (GraphQL `isDraft`). */
  draft?: boolean;
  /** Its branch (GraphQL `headRefName`; by default `pr-<number>`). */
  head_ref?: string;
  /** Its commits, oldest first (GraphQL timeline `PullRequestCommit` items; dates from the repository's commits). */
  commit_shas?: string[];
  /** The commit merging it into the base branch (a merge, squash or the last rebased commit), and who merged it. */
  merge_commit_sha?: string | null;
  merged_by?: StandInUser | null;
  /** Timeline events beside its commits and reviews: made ready, turned back into a draft, reopened, commented on. */
  timeline?: StandInPullEvent[];
  /**
   * Issues linked to it by hand (its Development section): GraphQL `closingIssuesReferences` with
   * `userLinkedOnly: true` (the stand-in does not add the ones its text closes, which GitHub adds
   * without that argument).
   */
  linked_issues?: { repository: string; number: number }[];
}
export interface StandInPullEvent {
  type: 'ready_for_review' | 'convert_to_draft' | 'reopened' | 'comment';
  created_at: string;
  /** null: a deleted account (GitHub shows no author) */
  actor: StandInUser | null;
}
export interface StandInTeam {
  id: number;
  slug: string;
  name: string;
  description: string | null;
  members: StandInUser[];
}
export interface StandInRepo {
  /** In-memory history (ignored when `git` is set). */
  commits: StandInCommit[];
  pulls: StandInPull[];
  empty?: boolean;
  /** A git repository on disk to serve the commits from, computed by git from its objects. */
  git?: string;
  /** Its deployments (the Deployments API) and its workflow runs (GitHub Actions). */
  deployments?: StandInDeployment[];
  workflowRuns?: StandInWorkflowRun[];
  /** Its issues (pull requests are issues on GitHub too: the REST list shows both, marked). */
  issues?: StandInIssue[];
}
/** An issue: REST `GET /repos/{o}/{r}/issues`, and GraphQL `Issue` (its closed and reopened events). */
export interface StandInIssue {
  id: number;
  number: number;
  title: string;
  user: StandInUser | null;
  assignees: StandInUser[];
  labels: string[];
  state: 'open' | 'closed';
  state_reason: 'completed' | 'not_planned' | 'reopened' | 'duplicate' | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  /** closed and reopened, oldest first */
  events?: { type: 'closed' | 'reopened'; created_at: string }[];
}
/** A deployment status (GitHub's states; the newest is the deployment's current state). */
export interface StandInDeploymentStatus {
  id: number;
  state: 'error' | 'failure' | 'inactive' | 'pending' | 'success' | 'queued' | 'in_progress';
  created_at: string;
  description?: string;
}
/** A deployment made through the Deployments API, with its statuses oldest first. */
export interface StandInDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  task?: string;
  created_at: string;
  creator?: StandInUser;
  statuses: StandInDeploymentStatus[];
}
/** A GitHub Actions workflow run. */
export interface StandInWorkflowRun {
  id: number;
  /** The workflow's name and its file (`.github/workflows/deploy.yml`). */
  name: string;
  path: string;
  head_branch: string;
  head_sha: string;
  event: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required' | 'neutral' | null;
  created_at: string;
  run_started_at: string;
  updated_at: string;
}
