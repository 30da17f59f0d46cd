import type { GhUser } from '../api/schemas.js';

/**
 * What GraphQL gives of a pull request's lifecycle beside its reviews: its timeline's commits (with
 * their author and committer dates), the moments it was made ready, turned back into a draft or
 * reopened, and its conversation comments; with `isDraft`, the merge commit and who merged. One
 * connection per pull request (`timelineItems`, 100 items, the item types below), so a page of 50
 * pull requests costs 2 points, not 3.
 */
export const TIMELINE_ITEM_TYPES = ['PULL_REQUEST_COMMIT', 'READY_FOR_REVIEW_EVENT', 'CONVERT_TO_DRAFT_EVENT', 'REOPENED_EVENT', 'ISSUE_COMMENT'] as const;
export const MOMENT = `fragment Moment on PullRequestTimelineItems {
  __typename
  ... on PullRequestCommit { commit { oid authoredDate committedDate } }
  ... on ReadyForReviewEvent { createdAt }
  ... on ConvertToDraftEvent { createdAt }
  ... on ReopenedEvent { createdAt }
  ... on IssueComment { createdAt author { ...Who } }
}`;
export const TIMELINE_FIELD = `timelineItems(first: 100, itemTypes: [${TIMELINE_ITEM_TYPES.join(', ')}]) { pageInfo { hasNextPage endCursor } nodes { ...Moment } }`;

export type GqlMoment =
  | { __typename: 'PullRequestCommit'; commit: { oid: string; authoredDate: string; committedDate: string } }
  | { __typename: 'ReadyForReviewEvent' | 'ConvertToDraftEvent' | 'ReopenedEvent'; createdAt: string }
  | { __typename: 'IssueComment'; createdAt: string; author: unknown }
  | { __typename: string };

/** A pull request's lifecycle as stored (pull_request_lifecycles, pull_request_commits, pull_request_comments). */
export interface PullLifecycle {
  is_draft: boolean;
  ready_at: string | null;
  reopened_at: string | null;
  merge_commit_sha: string | null;
  merged_by_github_id: number | null;
  last_commit_sha: string | null;
  /** its branch */
  head_ref: string | null;
  commits: { sha: string; authored_at: string; committed_at: string }[];
  comments: { author: GhUser; created_at: string }[];
}

/**
 * The lifecycle from a pull request's timeline. Ready for review: the first ReadyForReviewEvent when
 * the pull request was opened as a draft (its first draft event is a ready event, or it is still a
 * draft with none), else its creation; null while it has never been ready.
 */
export function lifecycleOf(
  p: { createdAt: string; isDraft: boolean; mergeCommit: { oid: string } | null; mergedBy: GhUser | null; headRefName?: string | null },
  moments: GqlMoment[],
  asUser: (actor: unknown) => GhUser | null,
): PullLifecycle {
  const at = (types: string[]) =>
    moments
      .filter((m): m is { __typename: string; createdAt: string } => types.includes(m.__typename) && 'createdAt' in m)
      .map((m) => m.createdAt)
      .sort();
  const draftMoves = moments
    .filter((m): m is { __typename: 'ReadyForReviewEvent' | 'ConvertToDraftEvent'; createdAt: string } =>
      ['ReadyForReviewEvent', 'ConvertToDraftEvent'].includes(m.__typename),
    )
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const openedAsDraft = draftMoves.length ? draftMoves[0]!.__typename === 'ReadyForReviewEvent' : p.isDraft;
  const ready = openedAsDraft ? (at(['ReadyForReviewEvent'])[0] ?? null) : p.createdAt;
  const commits = moments
    .filter((m): m is Extract<GqlMoment, { __typename: 'PullRequestCommit' }> => m.__typename === 'PullRequestCommit' && 'commit' in m)
    .map((m) => ({ sha: m.commit.oid, authored_at: m.commit.authoredDate, committed_at: m.commit.committedDate }));
  const comments = moments.flatMap((m) => {
    if (m.__typename !== 'IssueComment' || !('author' in m)) return [];
    const author = asUser(m.author);
    return author ? [{ author, created_at: m.createdAt }] : [];
  });
  return {
    is_draft: p.isDraft,
    ready_at: ready,
    reopened_at: at(['ReopenedEvent']).at(-1) ?? null,
    merge_commit_sha: p.mergeCommit?.oid ?? null,
    merged_by_github_id: p.mergedBy?.id ?? null,
    last_commit_sha: commits.at(-1)?.sha ?? null,
    head_ref: p.headRefName ?? null,
    commits,
    comments,
  };
}
