import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { GitHubPermanentError, type GitHubClient } from '../github/client.js';
import { ghPull, ghReview, parseGitHub, type GhPull, type GhReview } from '../github/schemas.js';
import { pgArray, sql } from '../db/sql.js';
import { advanceCursor, readCursor } from './cursors.js';
import { mapLimit, splitRepo } from './fetch.js';
import { developerRow, isFinal, pullRow, reviewRow } from './map.js';
import { markDirty } from '../people/follow-ups.js';
import { upsertDevelopers, upsertPulls, upsertReviews, type DeveloperRow } from './writers.js';

export interface SyncOptions {
  octokit: GitHubClient;
  em: EntityManager;
  log: Logger;
  repo: string;
  overlapMinutes: number;
  initialDays: number;
  progress?: (p: Record<string, unknown>) => Promise<void>;
  /** Aborted on shutdown or cancel: the streams stop between units of work. */
  signal?: AbortSignal;
  now?: Date;
  /** Commit details fetched at once. */
  detailConcurrency?: number;
}

/** Where a repository's first sync starts (GITHUB_SYNC_INITIAL_DAYS before now), or null for all history. */
export function initialWindowStart(opts: Pick<SyncOptions, 'initialDays' | 'now'>): Date | null {
  return opts.initialDays > 0 ? new Date((opts.now ?? new Date()).getTime() - opts.initialDays * 86_400_000) : null;
}

export interface StreamResult {
  fetched: number;
  written: number;
  cursorMoved: boolean;
}

/**
 * Pull requests by last update, newest first, stopping at the cursor (minus the overlap). Changed
 * PRs, and every PR still open in our database, are fetched in detail with their reviews (ETags make
 * unchanged ones free). Written in batches of 25, each one transaction; cursor moves at the end.
 */
export async function syncPulls(opts: SyncOptions): Promise<StreamResult & { reviews: number }> {
  const { octokit, em, log, repo } = opts;
  const cursor = await readCursor(em, repo, 'pulls');
  // Incremental: back to the cursor (minus the overlap). First sync: GITHUB_SYNC_INITIAL_DAYS, as
  // for commits (0 = every pull request the repository ever had).
  const stopBefore = cursor ? new Date(cursor.getTime() - opts.overlapMinutes * 60_000) : initialWindowStart(opts);
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
  const stored = await sql<{ number: number; github_id: string; updated_at: Date | null; state: string }>(
    em,
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
  const numbers = [...toRefresh].sort((a, b) => a - b);
  for (let i = 0; i < numbers.length; i += 25) {
    // Between batches: a shutdown stops here; the cursor has not moved, so the next run lists again.
    opts.signal?.throwIfAborted();
    const batch = await mapLimit(numbers.slice(i, i + 25), opts.detailConcurrency ?? 4, async (number) => {
      try {
        const detail = parseGitHub(
          ghPull,
          (await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo: name, pull_number: number })).data,
          `pull ${repo}#${number}`,
        );
        const reviews: GhReview[] = [];
        for await (const page of octokit.paginate.iterator('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
          owner,
          repo: name,
          pull_number: number,
          per_page: 100,
        })) {
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
      // Only developers whose data changed need their profile recomputed; marked in this transaction.
      if (pulls.written + reviewCount > 0) await markDirty(tx, devs.values());
    });
    await opts.progress?.({ stream: 'pulls', refreshed: Math.min(i + 25, numbers.length), of: numbers.length });
  }

  const cursorMoved = newest ? await advanceCursor(em, repo, 'pulls', newest) : false;
  log.info({ repo, listed: listed.size, refreshed: numbers.length, written, reviews: reviewsWritten }, 'pull requests synced');
  return { fetched: listed.size, written, reviews: reviewsWritten, cursorMoved };
}
