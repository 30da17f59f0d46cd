import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { GitHubClient } from '../api/client.js';
import type { GhPull, GhReview, GhUser } from '../api/schemas.js';
import { githubGraphql } from '../api/graphql.js';
import { openPullNumbers } from '../sql/pulls.js';
import { splitRepo } from './fetch.js';
import { actorAsUser, type GqlActor } from './gql-actor.js';
import type { PullWithReviews } from './map.js';
import { lifecycleOf, MOMENT, TIMELINE_FIELD, TIMELINE_ITEM_TYPES, type GqlMoment } from './pull-lifecycle.js';

/** What reading a repository's pull requests needs (a subset of the sync's options). */
export interface PullReadOptions {
  octokit: GitHubClient;
  em: EntityManager;
  log: Logger;
  repo: string;
  signal?: AbortSignal;
  progress?: (p: Record<string, unknown>) => Promise<void>;
}

/**
 * Pull requests with their reviews from GitHub's GraphQL API: one request brings 50 pull requests
 * with their stats, labels, review requests and first 100 reviews (REST needs a detail request and
 * a reviews request per pull request). The answers are turned into the REST shapes the REST path
 * parses (GhPull, GhReview), so both paths write their rows through the same mapping.
 */

/** Pull requests per request: 50 keeps an answer with 100 reviews each well inside GitHub's time limit. */
export const PULLS_PAGE = 50;
/** Stored open pull requests looked up by number per request (aliases of one query). */
const BY_NUMBER = 50;
/** Issues linked by hand read per pull request (the Development section links a handful). */
const LINKED_ISSUES = 25;

const WHO = `fragment Who on Actor { __typename login avatarUrl ... on User { databaseId } ... on Bot { databaseId } ... on Mannequin { databaseId } }`;
const REVIEW = `fragment Review on PullRequestReview { fullDatabaseId state body submittedAt author { ...Who } comments { totalCount } }`;
const PULL = `fragment Pull on PullRequest {
  id fullDatabaseId number title body state createdAt updatedAt mergedAt closedAt additions deletions changedFiles
  author { ...Who }
  isDraft
  headRefName
  mergeCommit { oid }
  mergedBy { ...Who }
  ${TIMELINE_FIELD}
  commits { totalCount }
  comments { totalCount }
  labels(first: 100) { nodes { name } }
  reviewRequests(first: 100) { nodes { requestedReviewer { ... on User { ...Who } ... on Bot { ...Who } } } }
  reviews(first: 100) { pageInfo { hasNextPage endCursor } nodes { ...Review } }
  closingIssuesReferences(first: ${LINKED_ISSUES}, userLinkedOnly: true) { nodes { number repository { nameWithOwner } } }
}`;
const FRAGMENTS = `${PULL}\n${REVIEW}\n${MOMENT}\n${WHO}`;
const RATE = 'rateLimit { cost remaining resetAt }';

export const PULLS_BY_UPDATE = `query PullsByUpdate($owner: String!, $name: String!, $first: Int!, $after: String) {
  ${RATE}
  repository(owner: $owner, name: $name) {
    pullRequests(first: $first, after: $after, orderBy: { field: UPDATED_AT, direction: DESC }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ...Pull }
    }
  }
}
${FRAGMENTS}`;

const MORE_REVIEWS = `query MoreReviews($id: ID!, $after: String) {
  ${RATE}
  node(id: $id) { ... on PullRequest { reviews(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { ...Review } } } }
}
${REVIEW}
${WHO}`;

const MORE_TIMELINE = `query MoreTimeline($id: ID!, $after: String) {
  ${RATE}
  node(id: $id) { ... on PullRequest { timelineItems(first: 100, after: $after, itemTypes: [${TIMELINE_ITEM_TYPES.join(', ')}]) { pageInfo { hasNextPage endCursor } nodes { ...Moment } } } }
}
${MOMENT}
${WHO}`;

const pullsByNumber = (numbers: number[]) => `query PullsByNumber($owner: String!, $name: String!) {
  ${RATE}
  repository(owner: $owner, name: $name) { ${numbers.map((n) => `pr${n}: pullRequest(number: ${n}) { ...Pull }`).join(' ')} }
}
${FRAGMENTS}`;

interface GqlReview {
  fullDatabaseId: string;
  state: string;
  body: string;
  submittedAt: string | null;
  author: GqlActor | null;
  comments: { totalCount: number };
}
interface GqlPage<T> {
  totalCount?: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: T[];
}
export interface GqlPull {
  id: string;
  fullDatabaseId: string;
  number: number;
  title: string;
  body: string;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  createdAt: string;
  updatedAt: string;
  mergedAt: string | null;
  closedAt: string | null;
  additions: number;
  deletions: number;
  changedFiles: number;
  author: GqlActor | null;
  commits: { totalCount: number };
  comments: { totalCount: number };
  labels: { nodes: { name: string }[] };
  reviewRequests: { nodes: { requestedReviewer: GqlActor | Record<string, never> | null }[] };
  reviews: GqlPage<GqlReview>;
  isDraft: boolean;
  headRefName: string;
  mergeCommit: { oid: string } | null;
  mergedBy: GqlActor | null;
  timelineItems: GqlPage<GqlMoment>;
  closingIssuesReferences: { nodes: { number: number; repository: { nameWithOwner: string } }[] } | null;
}
interface RateLimit {
  rateLimit: { cost: number; remaining: number; resetAt: string } | null;
}

function reviewAsRest(r: GqlReview): GhReview {
  return { id: Number(r.fullDatabaseId), user: actorAsUser(r.author), state: r.state, body: r.body, submitted_at: r.submittedAt };
}

/**
 * A GraphQL pull request (with all its reviews) in REST's shapes. REST's `review_comments` counts the
 * review comments of submitted reviews; every review comment belongs to one review (a reply is a
 * review of its own), so it is the sum of the submitted reviews' comment counts.
 */
export function pullAsRest(p: GqlPull, reviews: GqlReview[], moments: GqlMoment[] = p.timelineItems?.nodes ?? []): PullWithReviews {
  const detail: GhPull = {
    id: Number(p.fullDatabaseId),
    number: p.number,
    state: p.state === 'OPEN' ? 'open' : 'closed',
    title: p.title,
    // GraphQL's empty description is REST's null.
    body: p.body === '' ? null : p.body,
    user: actorAsUser(p.author),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: p.closedAt,
    merged_at: p.mergedAt,
    labels: p.labels.nodes.map((l) => ({ name: l.name })),
    requested_reviewers: p.reviewRequests.nodes.map((n) => actorAsUser(n.requestedReviewer)).filter((u): u is GhUser => u !== null),
    additions: p.additions,
    deletions: p.deletions,
    changed_files: p.changedFiles,
    commits: p.commits.totalCount,
    comments: p.comments.totalCount,
    review_comments: reviews.filter((r) => r.state !== 'PENDING').reduce((s, r) => s + r.comments.totalCount, 0),
  };
  const lifecycle = lifecycleOf({ createdAt: p.createdAt, isDraft: p.isDraft, mergeCommit: p.mergeCommit, mergedBy: actorAsUser(p.mergedBy) }, moments, (a) =>
    actorAsUser(a as GqlActor | null),
  );
  const linkedIssues = (p.closingIssuesReferences?.nodes ?? []).map((i) => ({ repository: i.repository.nameWithOwner, number: i.number }));
  return { detail, reviews: reviews.map(reviewAsRest), lifecycle, linkedIssues };
}

/** A pull request's timeline past the first page (nested pagination), appended to the first page's. */
async function allMoments(opts: PullReadOptions, p: GqlPull, spent: { points: number; requests: number }): Promise<GqlMoment[]> {
  const moments = [...p.timelineItems.nodes];
  let page = p.timelineItems.pageInfo;
  while (page.hasNextPage) {
    const { data } = await githubGraphql<RateLimit & { node: { timelineItems: GqlPage<GqlMoment> } | null }>(
      opts.octokit,
      MORE_TIMELINE,
      { id: p.id, after: page.endCursor },
      { what: `the timeline of ${opts.repo}#${p.number}` },
    );
    count(spent, data);
    if (!data.node) break;
    moments.push(...data.node.timelineItems.nodes);
    page = data.node.timelineItems.pageInfo;
  }
  return moments;
}

/** A pull request's reviews past the first page (nested pagination), appended to the first page's. */
async function allReviews(opts: PullReadOptions, p: GqlPull, spent: { points: number; requests: number }): Promise<GqlReview[]> {
  const reviews = [...p.reviews.nodes];
  let page = p.reviews.pageInfo;
  while (page.hasNextPage) {
    const { data } = await githubGraphql<RateLimit & { node: { reviews: GqlPage<GqlReview> } | null }>(
      opts.octokit,
      MORE_REVIEWS,
      { id: p.id, after: page.endCursor },
      { what: `reviews of ${opts.repo}#${p.number}` },
    );
    count(spent, data);
    if (!data.node) break;
    reviews.push(...data.node.reviews.nodes);
    page = data.node.reviews.pageInfo;
  }
  return reviews;
}

function count(spent: { points: number; requests: number }, data: RateLimit) {
  spent.requests += 1;
  spent.points += data.rateLimit?.cost ?? 1;
}

export interface GraphqlPullsResult {
  listed: number;
  newest: Date | null;
  /** Requests and GraphQL points spent. */
  spent: { points: number; requests: number };
}

/**
 * The pull requests updated since `stopBefore` (all of them when null), newest first, handed to
 * `write` page by page with all their reviews; then every pull request we store as open that was
 * not listed (looked up by number, 50 per request; one GitHub no longer has is skipped).
 */
export async function readPullsGraphql(
  opts: PullReadOptions,
  stopBefore: Date | null,
  write: (batch: PullWithReviews[]) => Promise<void>,
): Promise<GraphqlPullsResult> {
  const { owner, repo: name } = splitRepo(opts.repo);
  const spent = { points: 0, requests: 0 };
  const listed = new Set<number>();
  let newest: Date | null = null;
  let after: string | null = null;
  for (let more = true; more;) {
    opts.signal?.throwIfAborted();
    const { data } = await githubGraphql<RateLimit & { repository: { pullRequests: GqlPage<GqlPull> } }>(
      opts.octokit,
      PULLS_BY_UPDATE,
      { owner, name, first: PULLS_PAGE, after },
      { what: `pull requests of ${opts.repo}` },
    );
    count(spent, data);
    const page: GqlPage<GqlPull> = data.repository.pullRequests;
    const batch: PullWithReviews[] = [];
    for (const p of page.nodes) {
      const updated = new Date(p.updatedAt);
      if (stopBefore && updated < stopBefore) {
        more = false;
        break;
      }
      if (!newest || updated > newest) newest = updated;
      listed.add(p.number);
      batch.push(pullAsRest(p, await allReviews(opts, p, spent), await allMoments(opts, p, spent)));
    }
    await write(batch);
    // A first sync reads every pull request: then their number is the total.
    await opts.progress?.({
      stream: 'pulls',
      listed: listed.size,
      ...(stopBefore === null && page.totalCount !== undefined ? { total: page.totalCount } : {}),
    });
    more &&= page.pageInfo.hasNextPage;
    after = page.pageInfo.endCursor;
  }

  // Open in our database but not listed: re-checked on every sync, as the REST path does.
  const numbers = (await openPullNumbers(opts.em, { name, fullName: opts.repo })).filter((n) => !listed.has(n));
  for (let i = 0; i < numbers.length; i += BY_NUMBER) {
    opts.signal?.throwIfAborted();
    const slice = numbers.slice(i, i + BY_NUMBER);
    const { data, errors } = await githubGraphql<RateLimit & { repository: Record<string, GqlPull | null> }>(
      opts.octokit,
      pullsByNumber(slice),
      { owner, name },
      { what: `open pull requests of ${opts.repo}`, tolerate: ['NOT_FOUND'] },
    );
    count(spent, data);
    const batch: PullWithReviews[] = [];
    for (const n of slice) {
      const p = data.repository[`pr${n}`];
      // A PR we stored that GitHub no longer has (spam removal, a transferred repository): skip it.
      if (!p)
        opts.log.warn(
          { repo: opts.repo, number: n, error: errors.find((e) => e.path?.includes(`pr${n}`))?.message },
          'pull request not found on GitHub; skipped',
        );
      else batch.push(pullAsRest(p, await allReviews(opts, p, spent), await allMoments(opts, p, spent)));
    }
    await write(batch);
  }
  return { listed: listed.size, newest, spent };
}
