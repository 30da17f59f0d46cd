import { GitHubPermanentError } from '../api/client.js';
import { ghPull, ghReview, parseGitHub, type GhPull, type GhReview } from '../api/schemas.js';
import { advanceCursor, readCursor } from '../sql/cursors.js';
import { storedPulls } from '../sql/pulls.js';
import { splitRepo } from './fetch.js';
import { mapLimit } from '../../lib/map-limit.js';
import { developerRow, isFinal, pullRow, reviewRow, type PullWithReviews } from './map.js';
import { readPullsGraphql } from './pull-graphql.js';
import { learnLoginNoreply, markDirty, reattribute, upsertDevelopers, type DeveloperRow } from '../../people/index.js';
import { upsertPulls, upsertReviews } from '../sql/writers.js';
import { upsertLifecycles } from '../sql/lifecycles.js';
import { writeReferences } from '../sql/issues.js';
import { referenceRows } from './issue-refs.js';
import { initialWindowStart, type StreamResult, type SyncOptions } from './stream-options.js';

/**
 * Pull requests by last update, newest first, stopping at the cursor (minus the overlap). Changed
 * PRs, and every PR still open in our database, are fetched in detail with their reviews (ETags make
 * unchanged ones free). Written in batches of 25, each one transaction; cursor moves at the end.
 */
export async function syncPulls(opts: SyncOptions): Promise<PullsResult> {
  const { em, log, repo } = opts;
  const cursor = await readCursor(em, repo, 'pulls');
  // Incremental: back to the cursor (minus the overlap). First sync: GITHUB_SYNC_INITIAL_DAYS, as
  // for commits (0 = every pull request the repository ever had).
  const stopBefore = cursor ? new Date(cursor.getTime() - opts.overlapMinutes * 60_000) : initialWindowStart(opts);
  if (opts.pullsFrom === 'graphql') return syncPullsGraphql(opts, stopBefore);
  const { listed, newest } = await listChanged(opts, stopBefore);
  const numbers = await toRefresh(opts, listed);

  let written = 0;
  let reviewsWritten = 0;
  for (let i = 0; i < numbers.length; i += PULL_BATCH) {
    // Between batches: a shutdown stops here; the cursor has not moved, so the next run lists again.
    opts.signal?.throwIfAborted();
    const batch = await mapLimit(numbers.slice(i, i + PULL_BATCH), opts.detailConcurrency ?? 4, (number) => fetchPull(opts, number));
    const w = await writePulls(
      opts,
      batch.filter((b): b is PullWithReviews => b !== null),
    );
    written += w.pulls;
    reviewsWritten += w.reviews;
    await opts.progress?.({ stream: 'pulls', refreshed: Math.min(i + PULL_BATCH, numbers.length), of: numbers.length });
  }

  const cursorMoved = newest ? await advanceCursor(em, repo, 'pulls', newest) : false;
  log.info({ repo, listed: listed.size, refreshed: numbers.length, written, reviews: reviewsWritten }, 'pull requests synced');
  return { fetched: listed.size, written, reviews: reviewsWritten, cursorMoved, source: 'rest' };
}

export interface PullsResult extends StreamResult {
  reviews: number;
  source: 'graphql' | 'rest';
  /** GraphQL points spent (the GraphQL path). */
  points?: number;
}

/** The GraphQL path: pages of 50 changed pull requests with their reviews, each written as it arrives; the cursor moves at the end. */
async function syncPullsGraphql(opts: SyncOptions, stopBefore: Date | null): Promise<PullsResult> {
  let written = 0;
  let reviews = 0;
  const read = await readPullsGraphql(opts, stopBefore, async (batch) => {
    const w = await writePulls(opts, batch);
    written += w.pulls;
    reviews += w.reviews;
  });
  const cursorMoved = read.newest ? await advanceCursor(opts.em, opts.repo, 'pulls', read.newest) : false;
  opts.log.info({ repo: opts.repo, listed: read.listed, written, reviews, requests: read.spent.requests, points: read.spent.points }, 'pull requests synced');
  return { fetched: read.listed, written, reviews, cursorMoved, source: 'graphql', points: read.spent.points };
}

/** Pull requests fetched in detail and written per transaction. */
const PULL_BATCH = 25;

/** The pull requests updated since `stopBefore` (all of them when null), newest first, and the newest update seen. */
async function listChanged(opts: SyncOptions, stopBefore: Date | null): Promise<{ listed: Map<number, GhPull>; newest: Date | null }> {
  const { owner, repo: name } = splitRepo(opts.repo);
  const listed = new Map<number, GhPull>();
  let newest: Date | null = null;
  const pages = opts.octokit.paginate.iterator('GET /repos/{owner}/{repo}/pulls', {
    owner,
    repo: name,
    state: 'all',
    sort: 'updated',
    direction: 'desc',
    per_page: 100,
  });
  for await (const page of pages) {
    for (const raw of page.data as unknown[]) {
      const p = parseGitHub(ghPull, raw, `pull list of ${opts.repo}`);
      const updated = new Date(p.updated_at);
      if (stopBefore && updated < stopBefore) return { listed, newest };
      if (!newest || updated > newest) newest = updated;
      listed.set(p.number, p);
    }
  }
  return { listed, newest };
}

/**
 * The numbers to fetch in detail: listed PRs we do not have as they are now, and every PR we store
 * as open. Only this repository's: another owner's repository of the same short name is not ours to
 * check (rows without a recorded full name, written before it was kept, fall back to the short name).
 */
async function toRefresh(opts: SyncOptions, listed: Map<number, GhPull>): Promise<number[]> {
  const { repo: name } = splitRepo(opts.repo);
  const stored = await storedPulls(
    opts.em,
    { name, fullName: opts.repo },
    [...listed.values()].map((p) => p.id),
  );
  const storedById = new Map(stored.map((s) => [Number(s.github_id), s]));
  const numbers = new Set<number>();
  for (const p of listed.values()) {
    const s = storedById.get(p.id);
    if (!s || !isFinal(s) || !s.updated_at || new Date(s.updated_at).getTime() !== new Date(p.updated_at).getTime()) numbers.add(p.number);
  }
  for (const s of stored) if (!isFinal(s)) numbers.add(s.number);
  return [...numbers].sort((a, b) => a - b);
}

/** One pull request in detail with all its reviews, or null when GitHub no longer has it. */
async function fetchPull(opts: SyncOptions, number: number): Promise<PullWithReviews | null> {
  const { owner, repo: name } = splitRepo(opts.repo);
  try {
    const raw = (await opts.octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo: name, pull_number: number })).data;
    const detail = parseGitHub(ghPull, raw, `pull ${opts.repo}#${number}`);
    const reviews: GhReview[] = [];
    const pages = opts.octokit.paginate.iterator('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      owner,
      repo: name,
      pull_number: number,
      per_page: 100,
    });
    for await (const page of pages) {
      for (const r of page.data as unknown[]) reviews.push(parseGitHub(ghReview, r, `reviews of ${opts.repo}#${number}`));
    }
    return { detail, reviews };
  } catch (err) {
    // A PR we stored that GitHub no longer has (deleted repository transfer, spam removal): skip it.
    if (err instanceof GitHubPermanentError && err.status === 404) {
      opts.log.warn({ repo: opts.repo, number }, 'pull request not found on GitHub; skipped');
      return null;
    }
    throw err;
  }
}

/** One batch in one transaction: authors and reviewers, pull requests, reviews, and the developers to refresh. */
async function writePulls(opts: SyncOptions, found: PullWithReviews[]): Promise<{ pulls: number; reviews: number }> {
  const users: DeveloperRow[] = [];
  for (const { detail, reviews, lifecycle } of found) {
    if (detail.user) users.push(developerRow(detail.user));
    for (const r of reviews) if (r.user) users.push(developerRow(r.user));
    // Commenters too: a first response may be theirs (and a bot's is not one).
    for (const c of lifecycle?.comments ?? []) users.push(developerRow(c.author));
  }
  return opts.em.transactional(async (tx) => {
    const devs = await upsertDevelopers(tx, users);
    const pulls = await upsertPulls(
      tx,
      found.map(({ detail, reviews }) => pullRow(detail, opts.repo, reviews)),
      devs,
    );
    const reviews = await upsertReviews(
      tx,
      found.flatMap(({ detail, reviews }) => reviews.map((r) => reviewRow(r, detail.id)).filter((r) => r !== null)),
      devs,
      pulls.ids,
    );
    await upsertLifecycles(
      tx,
      opts.repo,
      found.flatMap(({ detail, lifecycle }) => (lifecycle ? [{ github_id: detail.id, lifecycle }] : [])),
    );
    // What each refers to: issues linked to it by hand, closed or mentioned in its title or body, a Jira key in its branch.
    await writeReferences(
      tx,
      'pull',
      found.map(({ detail, lifecycle, linkedIssues }) => ({
        source_id: String(detail.id),
        refs: referenceRows(
          [
            { text: detail.title, foundIn: 'title', github: true },
            { text: lifecycle?.head_ref, foundIn: 'branch', github: false },
            { text: detail.body, foundIn: 'body', github: true },
          ],
          opts.repo,
          linkedIssues,
        ),
      })),
    );
    // Only developers whose data changed need their profile recomputed; marked in this transaction.
    if (pulls.written + reviews > 0) await markDirty(tx, devs.values());
    // Developers who appear here claim their login's older noreply address on earlier commits.
    await markDirty(tx, await reattribute(tx, await learnLoginNoreply(tx, devs.values())));
    return { pulls: pulls.written, reviews };
  });
}
