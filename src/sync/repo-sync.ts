import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { GitHubPermanentError, type GitHubClient } from '../github/client.js';
import { ghCommitDetail, ghCommitListItem, ghPull, ghReview, parseGitHub, type GhCommitDetail, type GhPull, type GhReview } from '../github/schemas.js';
import { pgArray } from '../db/sql.js';
import { advanceCursor, readCursor } from './cursors.js';
import { commitRow, developerRow, isFinal, pullRow, reviewRow } from './map.js';
import { knownShas, upsertCommits, upsertDevelopers, upsertPulls, upsertReviews, type DeveloperRow } from './writers.js';

export interface SyncOptions {
  octokit: GitHubClient;
  em: EntityManager;
  log: Logger;
  repo: string;
  overlapMinutes: number;
  initialDays: number;
  progress?: (p: Record<string, unknown>) => Promise<void>;
  now?: Date;
  /** Commit details fetched at once. */
  detailConcurrency?: number;
}

export interface StreamResult {
  fetched: number;
  written: number;
  cursorMoved: boolean;
  developerIds: string[];
}

function splitRepo(repo: string): { owner: string; repo: string } {
  const [owner, name] = repo.split('/');
  return { owner: owner!, repo: name! };
}

/** Run `fn` over items with at most `limit` in flight, keeping order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

const hasNext = (link: string | undefined) => !!link && /rel="next"/.test(link);

/** GET a commit with all of its files: GitHub pages the file list (300 per page, up to 3000). */
async function fetchCommit(octokit: GitHubClient, repo: string, sha: string): Promise<{ commit: GhCommitDetail; files: NonNullable<GhCommitDetail['files']> }> {
  const { owner, repo: name } = splitRepo(repo);
  let page = 1;
  let commit: GhCommitDetail | undefined;
  const files: NonNullable<GhCommitDetail['files']> = [];
  for (;;) {
    const res = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner, repo: name, ref: sha, page });
    const detail = parseGitHub(ghCommitDetail, res.data, `commit ${repo}@${sha.slice(0, 7)}`);
    commit ??= detail;
    files.push(...(detail.files ?? []));
    if (!hasNext(res.headers.link)) break;
    page += 1;
  }
  return { commit: commit!, files };
}

/**
 * Commits of the default branch since the cursor (minus the overlap). Only shas we do not have are
 * fetched in detail; each page is written in one transaction; the cursor moves after the last page.
 */
export async function syncCommits(opts: SyncOptions): Promise<StreamResult> {
  const { octokit, em, log, repo } = opts;
  const now = opts.now ?? new Date();
  const cursor = await readCursor(em, repo, 'commits');
  const since = cursor
    ? new Date(cursor.getTime() - opts.overlapMinutes * 60_000)
    : opts.initialDays > 0
      ? new Date(now.getTime() - opts.initialDays * 86_400_000)
      : undefined;
  const { owner, repo: name } = splitRepo(repo);
  let fetched = 0;
  let written = 0;
  let newest: Date | null = null;
  const developerIds = new Set<string>();

  try {
    const pages = octokit.paginate.iterator('GET /repos/{owner}/{repo}/commits', {
      owner,
      repo: name,
      per_page: 100,
      ...(since ? { since: since.toISOString() } : {}),
    });
    for await (const page of pages) {
      const items = (page.data as unknown[]).map((c) => parseGitHub(ghCommitListItem, c, `commit list of ${repo}`));
      fetched += items.length;
      for (const c of items) {
        const at = c.commit.committer?.date ?? c.commit.author?.date;
        if (at && (!newest || new Date(at) > newest)) newest = new Date(at);
      }
      const known = await knownShas(em, items.map((c) => c.sha));
      const fresh = items.filter((c) => !known.has(c.sha));
      if (fresh.length === 0) continue;
      const details = await mapLimit(fresh, opts.detailConcurrency ?? 4, (c) => fetchCommit(octokit, repo, c.sha));
      const users = details.flatMap((d) => (d.commit.author ? [developerRow(d.commit.author)] : []));
      await em.transactional(async (tx) => {
        const devs = await upsertDevelopers(tx, users);
        const n = await upsertCommits(
          tx,
          details.map((d) => commitRow(d.commit, d.files, repo)),
          devs,
        );
        written += n;
        if (n > 0) devs.forEach((id) => developerIds.add(id));
      });
      await opts.progress?.({ stream: 'commits', fetched, written });
    }
  } catch (err) {
    if (err instanceof GitHubPermanentError && err.status === 409) {
      log.info({ repo }, 'repository is empty (409): no commits');
      return { fetched: 0, written: 0, cursorMoved: false, developerIds: [] };
    }
    throw err;
  }
  const cursorMoved = newest ? await advanceCursor(em, repo, 'commits', newest) : false;
  log.info({ repo, fetched, written, cursor: newest?.toISOString() ?? cursor?.toISOString() ?? null }, 'commits synced');
  return { fetched, written, cursorMoved, developerIds: [...developerIds] };
}

/**
 * Pull requests by last update, newest first, stopping at the cursor (minus the overlap). Changed
 * PRs, and every PR still open in our database, are fetched in detail with their reviews (ETags make
 * unchanged ones free). Written in batches of 25, each one transaction; cursor moves at the end.
 */
export async function syncPulls(opts: SyncOptions): Promise<StreamResult & { reviews: number }> {
  const { octokit, em, log, repo } = opts;
  const cursor = await readCursor(em, repo, 'pulls');
  const stopBefore = cursor ? new Date(cursor.getTime() - opts.overlapMinutes * 60_000) : null;
  const { owner, repo: name } = splitRepo(repo);
  const listed = new Map<number, GhPull>();
  let newest: Date | null = null;

  pages: for await (const page of octokit.paginate.iterator('GET /repos/{owner}/{repo}/pulls', {
    owner,
    repo: name,
    state: 'all',
    sort: 'updated',
    direction: 'desc',
    per_page: 100,
  })) {
    for (const raw of page.data as unknown[]) {
      const p = parseGitHub(ghPull, raw, `pull list of ${repo}`);
      const updated = new Date(p.updated_at);
      if (stopBefore && updated < stopBefore) break pages;
      if (!newest || updated > newest) newest = updated;
      listed.set(p.number, p);
    }
  }

  // What do we already have? Unchanged final PRs need nothing; open ones are always re-checked.
  // Only this repository's: another owner's repository of the same short name is not ours to check
  // (rows without a recorded full name, written before it was kept, fall back to the short name).
  const stored = await em.getConnection().execute<{ number: number; github_id: string; updated_at: string | null; state: string }[]>(
    `SELECT p.number, p.github_id, p.updated_at, p.state FROM pull_requests p
       LEFT JOIN github_pull_repositories r ON r.github_id = p.github_id
      WHERE p.repository_name = ? AND (r.repository_full_name = ? OR r.repository_full_name IS NULL)
        AND (p.github_id = ANY(?::bigint[]) OR p.state = 'open')`,
    [name, repo, pgArray([...listed.values()].map((p) => p.id))],
  );
  const storedById = new Map(stored.map((s) => [Number(s.github_id), s]));
  const toRefresh = new Set<number>();
  for (const p of listed.values()) {
    const s = storedById.get(p.id);
    if (!s || !isFinal(s) || !s.updated_at || new Date(s.updated_at).getTime() !== new Date(p.updated_at).getTime()) toRefresh.add(p.number);
  }
  for (const s of stored) if (!isFinal(s)) toRefresh.add(s.number);

  let written = 0;
  let reviewsWritten = 0;
  const developerIds = new Set<string>();
  const numbers = [...toRefresh].sort((a, b) => a - b);
  for (let i = 0; i < numbers.length; i += 25) {
    const batch = await mapLimit(numbers.slice(i, i + 25), opts.detailConcurrency ?? 4, async (number) => {
      try {
        const detail = parseGitHub(ghPull, (await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo: name, pull_number: number })).data, `pull ${repo}#${number}`);
        const reviews: GhReview[] = [];
        for await (const page of octokit.paginate.iterator('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { owner, repo: name, pull_number: number, per_page: 100 })) {
          for (const r of page.data as unknown[]) reviews.push(parseGitHub(ghReview, r, `reviews of ${repo}#${number}`));
        }
        return { detail, reviews };
      } catch (err) {
        // A PR we stored that GitHub no longer has (deleted repository transfer, spam removal): skip it.
        if (err instanceof GitHubPermanentError && err.status === 404) {
          log.warn({ repo, number }, 'pull request not found on GitHub; skipped');
          return null;
        }
        throw err;
      }
    });
    const found = batch.filter((b): b is NonNullable<typeof b> => b !== null);
    const users: DeveloperRow[] = [];
    for (const { detail, reviews } of found) {
      if (detail.user) users.push(developerRow(detail.user));
      for (const r of reviews) if (r.user) users.push(developerRow(r.user));
    }
    await em.transactional(async (tx) => {
      const devs = await upsertDevelopers(tx, users);
      const pulls = await upsertPulls(
        tx,
        found.map(({ detail, reviews }) => pullRow(detail, repo, reviews)),
        devs,
      );
      const reviewCount = await upsertReviews(
        tx,
        found.flatMap(({ detail, reviews }) => reviews.map((r) => reviewRow(r, detail.id)).filter((r) => r !== null)),
        devs,
        pulls.ids,
      );
      written += pulls.written;
      reviewsWritten += reviewCount;
      // Only developers whose data changed need their profile recomputed.
      if (pulls.written + reviewCount > 0) devs.forEach((id) => developerIds.add(id));
    });
    await opts.progress?.({ stream: 'pulls', refreshed: Math.min(i + 25, numbers.length), of: numbers.length });
  }

  const cursorMoved = newest ? await advanceCursor(em, repo, 'pulls', newest) : false;
  log.info({ repo, listed: listed.size, refreshed: numbers.length, written, reviews: reviewsWritten }, 'pull requests synced');
  return { fetched: listed.size, written, reviews: reviewsWritten, cursorMoved, developerIds: [...developerIds] };
}
