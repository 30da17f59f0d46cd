import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { githubSyncRepo } from '../src/jobs/index.js';
import { tokenHash } from '../src/github/api/client.js';
import { PULLS_BY_UPDATE } from '../src/github/sync/pull-graphql.js';
import { GitHubStandIn, type StandInPull, type StandInReview, type StandInUser } from '../src/dev/github-stand-in.js';
import { useStandIn, useTestWorld } from './hooks.js';
import { alice, at, bob, carol, makePull } from './helpers/github-data.js';
import { REDIS_URL, standInGitHubSettings } from './helpers/redis.js';

const REPO = 'acme/pulls';
const dependabot: StandInUser = { id: 49699333, login: 'dependabot[bot]', type: 'Bot' };
const copilot: StandInUser = { id: 175728472, login: 'copilot-pull-request-reviewer[bot]', type: 'Bot' };

/**
 * 120 pull requests (three GraphQL pages of 50) with what varies on GitHub: a bot author and a bot
 * reviewer requested, empty descriptions, several labels, pending and dismissed reviews, review
 * comments spread over reviews (REST's review_comments is their sum), open ones, and one pull
 * request with 130 reviews (a second page of reviews).
 */
function pulls(): StandInPull[] {
  const people = [alice, bob, carol];
  return Array.from({ length: 120 }, (_, i) => {
    const n = i + 1;
    const author = n % 17 === 0 ? dependabot : people[n % 3]!;
    const reviewer = people[(n + 1) % 3]!;
    const reviews: StandInReview[] =
      n === 60
        ? Array.from({ length: 130 }, (_, k) => ({
            id: 7_000_000 + k,
            user: people[k % 3]!,
            state: 'COMMENTED',
            body: `note ${k}`,
            submitted_at: at(300 + k),
            comments: k % 2,
          }))
        : [
            {
              id: 800_000 + n * 10,
              user: reviewer,
              state: n % 5 === 0 ? 'CHANGES_REQUESTED' : 'APPROVED',
              body: n % 4 ? 'LGTM' : '',
              submitted_at: at(n * 5 + 2),
              comments: n % 3,
            },
            { id: 800_000 + n * 10 + 1, user: author, state: 'PENDING', body: 'draft', submitted_at: at(n * 5 + 2), comments: 5 },
            ...(n % 6 === 0
              ? [{ id: 800_000 + n * 10 + 2, user: people[(n + 2) % 3]!, state: 'DISMISSED' as const, body: 'stale', submitted_at: at(n * 5 + 3), comments: 1 }]
              : []),
          ];
    const open = n % 10 === 0;
    return makePull(n, author, reviewer, {
      body: n % 7 === 0 ? null : `Body of ${n}`,
      labels: n % 4 === 0 ? ['bug', 'area: sync', 'P1'] : n % 2 ? ['enhancement'] : [],
      requested_reviewers: open ? [reviewer, ...(n % 20 === 0 ? [copilot] : [])] : [],
      reviews,
      review_comments: reviews.filter((r) => r.state !== 'PENDING').reduce((s, r) => s + (r.comments ?? 0), 0),
      ...(open ? { state: 'open', merged_at: null, closed_at: null, updated_at: at(n * 5 + 1) } : {}),
    });
  });
}

describe('pull requests and reviews from GraphQL: the same rows as REST, for 1/50 of the requests', () => {
  let gh: GitHubStandIn;
  useStandIn(async () => {
    gh = await new GitHubStandIn().start();
    for (const u of [alice, bob, carol, dependabot, copilot]) gh.users.set(u.login, u);
    gh.repos.set(REPO, { commits: [], pulls: pulls() });
    return gh;
  });
  // One world per source, synced from the same stand-in.
  const side = (from: 'rest' | 'graphql') => useTestWorld({ harness: true, settings: () => ({ ...standInGitHubSettings(gh), GITHUB_PULLS_FROM: from }) });
  const sides = { rest: side('rest'), graphql: side('graphql') };

  async function sync(from: 'rest' | 'graphql') {
    gh.reset();
    const { h } = sides[from];
    const job = await h.settle(await h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['pulls'] }));
    expect(job.failedReason).toBeUndefined();
    await h.idle(['github-sync', 'profiles']);
    // The sync's requests (not the profile fetches of developers seen for the first time).
    return {
      job,
      requests: gh
        .counted()
        .filter((r) => !r.path.startsWith('/users/'))
        .map((r) => `${r.method} ${r.path}`),
    };
  }

  /** Every synced row, keyed by GitHub ids (not our uuids). */
  async function rows(from: 'rest' | 'graphql') {
    const q = async (text: string) => (await sides[from].db.sql.query(text)).rows;
    return {
      pulls: await q(
        `SELECT p.github_id, p.number, a.github_id AS author, p.repository_name, p.title, p.body, p.state, p.additions, p.deletions,
                p.changed_files, p.commits_count, p.comments_count, p.review_comments_count, p.created_at, p.updated_at, p.merged_at,
                p.closed_at, p.labels, p.reviewers, r.repository_full_name
           FROM pull_requests p LEFT JOIN developers a ON a.id = p.developer_id LEFT JOIN github_pull_repositories r ON r.github_id = p.github_id
          ORDER BY p.github_id`,
      ),
      reviews: await q(
        `SELECT r.github_id, p.github_id AS pull, d.github_id AS reviewer, r.state, r.body, r.submitted_at
           FROM code_reviews r JOIN pull_requests p ON p.id = r.pull_request_id LEFT JOIN developers d ON d.id = r.reviewer_id ORDER BY r.github_id`,
      ),
      developers: await q(
        `SELECT d.github_id, d.github_username, d.avatar_url, b.reason AS bot FROM developers d LEFT JOIN developer_bots b ON b.developer_id = d.id ORDER BY d.github_id`,
      ),
      cursors: await q(`SELECT repository_full_name, stream, cursor_at FROM github_sync_cursors ORDER BY stream`),
    };
  }

  it('a first sync: identical rows; 3 pages and 1 page of more reviews instead of 2 requests per pull request', async () => {
    const rest = await sync('rest');
    const graphql = await sync('graphql');
    expect(rest.job.returnvalue.pulls).toMatchObject({ fetched: 120, written: 120, source: 'rest' });
    expect(graphql.job.returnvalue.pulls).toMatchObject({ fetched: 120, written: 120, source: 'graphql' });
    // A first sync knows its total (the connection's totalCount): `--wait` draws a bar with it.
    expect(graphql.job.progress).toEqual({ repository: REPO, stream: 'pulls', listed: 120, total: 120 });
    // REST: 2 list pages, 120 details, 121 review pages.
    expect(rest.requests).toHaveLength(243);
    // 120 pull requests in pages of 50, and the 130-review one's second page of reviews; no REST at all.
    expect(graphql.requests).toEqual(Array(4).fill('POST /graphql'));
    expect(graphql.job.returnvalue.pulls.points).toBe(gh.graphqlCosts.slice(-4).reduce((s, c) => s + c, 0));

    const [a, b] = [await rows('rest'), await rows('graphql')];
    expect(b).toEqual(a);
    expect(a.pulls).toHaveLength(120);
    expect(a.reviews).toHaveLength(119 + 19 + 130); // one submitted review on each but #60, 19 dismissed ones, 130 on #60
    // Numbers by hand: #12 has its approval's 0 comments and the dismissed review's 1 (the pending review's 5 are not counted);
    // #60 has 65 comments over its 130 reviews; the bot's login keeps its [bot] suffix from GraphQL's "dependabot".
    const byNumber = new Map(b.pulls.map((p) => [p.number, p]));
    expect(byNumber.get(12)).toMatchObject({ review_comments_count: 1, labels: ['bug', 'area: sync', 'P1'], body: 'Body of 12' });
    expect(byNumber.get(14)).toMatchObject({ body: null });
    expect(byNumber.get(60)).toMatchObject({ review_comments_count: 65, state: 'open' });
    expect(byNumber.get(20)).toMatchObject({ reviewers: ['alice', 'copilot-pull-request-reviewer[bot]'] });
    expect(byNumber.get(34)).toMatchObject({ author: '49699333' });
    expect(b.developers.find((d) => d.github_id === '49699333')).toMatchObject({ github_username: 'dependabot[bot]', bot: 'github-type' });
  });

  it('incremental: one page for what changed, one lookup for the open ones not listed (a vanished one is skipped); identical again', async () => {
    const repo = gh.repos.get(REPO)!;
    const p7 = repo.pulls.find((p) => p.number === 7)!;
    p7.updated_at = at(2000);
    p7.reviews.push({ id: 990_001, user: carol, state: 'APPROVED', body: 'late approval', submitted_at: at(1999), comments: 2 });
    p7.review_comments += 2;
    repo.pulls.push(makePull(121, bob, alice, { updated_at: at(2001), reviews: [], review_comments: 0 }));
    repo.pulls.splice(
      repo.pulls.findIndex((p) => p.number === 30),
      1,
    );

    const rest = await sync('rest');
    const graphql = await sync('graphql');
    // The page of changes, the lookup of the open ones not listed, and #60's second page of reviews.
    expect(graphql.requests).toEqual(Array(3).fill('POST /graphql'));
    // Listed back to the cursor minus the overlap: #121, #7 and #120 (open, unchanged: nothing written).
    expect(graphql.job.returnvalue.pulls).toMatchObject({ fetched: 3, written: 2 });
    expect(rest.job.returnvalue.pulls).toMatchObject({ fetched: 3, written: 2 });

    const [a, b] = [await rows('rest'), await rows('graphql')];
    expect(b).toEqual(a);
    expect(b.pulls.find((p) => p.number === 7)).toMatchObject({ review_comments_count: (7 % 3) + 2, reviewers: ['carol'] });
    expect(b.pulls.find((p) => p.number === 30)).toMatchObject({ state: 'open' }); // kept as last seen, as REST does
  });

  it('a re-run with nothing changed writes nothing and costs the overlap page and the open ones', async () => {
    const before = await rows('graphql');
    const graphql = await sync('graphql');
    expect(graphql.job.returnvalue.pulls).toMatchObject({ written: 0, reviews: 0 });
    // The overlap page, and the lookup of the open ones (with #60's second page of reviews).
    expect(graphql.requests).toEqual(Array(3).fill('POST /graphql'));
    expect(await rows('graphql')).toEqual(before);
  });

  it("GraphQL's point budget is kept apart from REST's, and a spent one delays the job until its reset", async () => {
    const redis = new Redis(REDIS_URL);
    try {
      const { h, config } = sides.graphql;
      const key = `${config.QUEUE_PREFIX}:github:rate:${tokenHash(gh.token)}`;
      expect(await redis.hget(`${key}:graphql`, 'remaining')).toBe(String(gh.graphqlRate.remaining));

      gh.repos.get(REPO)!.pulls.find((p) => p.number === 8)!.updated_at = at(3000);
      gh.graphqlRate.remaining = 0;
      gh.graphqlRate.reset = Math.floor(Date.now() / 1000) + 2;
      gh.reset();
      const costsBefore = gh.graphqlCosts.length;
      const events = await h.events('github-sync');
      const delayed = new Promise<string>((resolve) => events.once('delayed', ({ jobId }) => resolve(jobId)));
      const job = await h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['pulls'] });
      expect(await delayed).toBe(job.id);
      // One RATE_LIMITED answer, no retry inside the request.
      expect(gh.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /graphql 200']);
      expect(gh.graphqlCosts.length).toBe(costsBefore);
      gh.graphqlRate.remaining = gh.graphqlRate.limit; // GitHub refills the points at the reset
      const done = await h.settle(job);
      expect(await done.getState()).toBe('completed');
      expect(done.returnvalue.pulls).toMatchObject({ written: 1 });
      expect(gh.graphqlRate.remaining).toBeLessThan(gh.graphqlRate.limit); // refilled at the reset, then spent again
    } finally {
      redis.disconnect();
    }
  });

  it("the stand-in holds queries to GitHub's schema and rules", async () => {
    type Answer = { errors?: { type?: string; message: string }[]; data: { rateLimit: { cost: number }; repository: { pullRequests: { nodes: unknown[] } } } };
    const post = async (query: string, variables: Record<string, unknown> = {}): Promise<Answer> =>
      (
        await fetch(`${gh.url}/graphql`, { method: 'POST', headers: { authorization: `token ${gh.token}` }, body: JSON.stringify({ query, variables }) })
      ).json() as Promise<Answer>;
    const noBoundary = await post(`{ repository(owner: "acme", name: "pulls") { pullRequests { nodes { number } } } }`);
    expect(noBoundary.errors?.[0]).toMatchObject({ type: 'MISSING_PAGINATION_BOUNDARIES' });
    const tooMany = await post(`{ repository(owner: "acme", name: "pulls") { pullRequests(first: 101) { nodes { number } } } }`);
    expect(tooMany.errors?.[0]).toMatchObject({ type: 'EXCESSIVE_PAGINATION' });
    const unknownField = await post(`{ repository(owner: "acme", name: "pulls") { pullRequests(first: 1) { nodes { reviewCount } } } }`);
    expect(unknownField.errors?.[0]?.message).toMatch(/Cannot query field "reviewCount" on type "PullRequest"/);
    const ours = await post(PULLS_BY_UPDATE, { owner: 'acme', name: 'pulls', first: 2, after: null });
    expect(ours.errors).toBeUndefined();
    expect(ours.data.repository.pullRequests.nodes).toHaveLength(2);
    expect(ours.data.rateLimit.cost).toBeGreaterThanOrEqual(1);
  });
});
