import { writeReferences } from '../sql/issues.js';
import { referenceRows } from './issue-refs.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { GitHubPermanentError } from '../api/client.js';
import { ghBranch, ghCommitListItem, ghCompare, ghRepository, parseGitHub, type GhCommitListItem, type GhCompare } from '../api/schemas.js';
import {
  ensureDevelopersById,
  learnIdentities,
  learnLoginNoreply,
  markDirty,
  parseNoreply,
  reattribute,
  resolveEmails,
  upsertDevelopers,
  type LearntIdentity,
} from '../../people/index.js';
import { authorsByEmail, type AuthorLookup } from './commit-authors.js';
import { fetchCommit, splitRepo } from './fetch.js';
import { mapLimit } from '../../lib/map-limit.js';
import { hasCommit, mirrorBytes, revList, revListEmails, type Mirror } from './git.js';
import { TransientError } from '../../errors/index.js';
import { lockTarget, readHead, saveHead } from '../sql/heads.js';
import { anyCommitStored, storedShas } from '../sql/commits.js';
import { withCommitStreamLock } from './commit-lock.js';
import { prepareChunk, withAuthors, type CommitChunk } from './commit-chunk.js';
import { PreparedCommitReader } from './prepared-reader.js';
import { initialWindowStart, type SyncOptions } from './stream-options.js';
import { deleteCommits, insertCoauthors, knownShas, upsertCommits } from '../sql/writers.js';

/** Commit details fetched, then written, at a time: what a pause or a crash can waste at most. */
export const COMMIT_CHUNK = 4;
/** Commits read from git and written in one transaction (reading them costs no API request). */
export const GIT_CHUNK = 2000;
/** The first such chunk: written while git reads the next ones (each twice the last, up to GIT_CHUNK). */
export const GIT_FIRST_CHUNK = 250;

export interface CommitStreamResult {
  /** Commits listed (compare or branch listing). */
  fetched: number;
  /** Commits inserted or newly attributed. */
  written: number;
  /** Commits removed because they left the default branch (force-push, changed default branch). */
  removed: number;
  head: string | null;
  /** Where the commits' files and numbers came from. */
  source?: 'git' | 'api';
  /** The size of the repository's git mirror on disk. */
  mirrorBytes?: number;
}

/**
 * The commit stream: store exactly the commits reachable from the default branch's head, each
 * once, whatever order they arrive in (a merge brings in commits older than anything stored).
 *
 * State, per repository (github_commit_heads): `head`, a sha whose whole history is stored, and
 * `target`, the head a run is on its way to. A run is a small state machine:
 *
 *   READ      default branch and its head H (ETag-cached: free when nothing moved); the git
 *             mirror, when commits come from git, is cloned or fetched meanwhile
 *   PLAN      head = H → DONE.  Otherwise target := target ?? H, saved before any work, so that
 *             a run resumed after a pause, a retry or kill -9 walks the same pages (cached, 304s)
 *   ADVANCE   head → target:
 *               no head yet      list the branch at target (the first sync: since
 *                                GITHUB_SYNC_INITIAL_DAYS; otherwise all of it, and stored commits
 *                                no longer listed are removed)
 *               head known       compare head...target: new commits, oldest first; if head is not
 *                                an ancestor (force-push, changed branch) compare target...head
 *                                names the commits that left, which are removed
 *               head gone (404)  as "no head yet", in full
 *             unknown commits are fetched in detail and written COMMIT_CHUNK at a time, each
 *             chunk one transaction that also marks its developers for a profile refresh
 *   COMMIT    head := target, target := null; if the branch moved on meanwhile, PLAN again
 *
 * Nothing is decided by dates, so clock skew and merges of old work cannot hide a commit. One run
 * per repository at a time (commit-lock.ts: a run that finds another is deferred), and a removal
 * re-checks in its transaction that the saved target is still its own.
 */
export async function syncCommits(opts: SyncOptions): Promise<CommitStreamResult> {
  return withCommitStreamLock(opts.em, opts.repo, () => syncCommitsLocked(opts));
}

async function syncCommitsLocked(opts: SyncOptions): Promise<CommitStreamResult> {
  // The mirror is cloned or fetched while the branch is read (a first clone takes as long as
  // the rest of a sync); it is settled before the run ends, whatever the end, as the lock covers it.
  const opening = opts.mirror ? opts.mirror() : Promise.resolve(null);
  opening.catch(() => undefined);
  try {
    return await syncCommitsWith(opts, opening);
  } finally {
    await opening.catch(() => undefined);
  }
}

async function syncCommitsWith(opts: SyncOptions, opening: Promise<Mirror | null>): Promise<CommitStreamResult> {
  const { octokit, em, log, repo } = opts;
  const { owner, repo: name } = splitRepo(repo);
  const result: CommitStreamResult = { fetched: 0, written: 0, removed: 0, head: null };

  // READ
  const info = parseGitHub(ghRepository, (await octokit.request('GET /repos/{owner}/{repo}', { owner, repo: name })).data, `repository ${repo}`);
  const branch = info.default_branch;
  let current: string;
  try {
    const res = await octokit.request('GET /repos/{owner}/{repo}/branches/{branch}', { owner, repo: name, branch });
    current = parseGitHub(ghBranch, res.data, `branch ${repo}:${branch}`).commit.sha;
  } catch (err) {
    // An empty repository has no branch yet.
    if (err instanceof GitHubPermanentError && (err.status === 404 || err.status === 409)) {
      log.info({ repo, branch }, 'repository is empty: no commits');
      return result;
    }
    throw err;
  }
  result.head = current;

  // Commits from git when a mirror can be had (a clone or fetch: no API request), else from the API.
  const mirror = await opening;
  // The mirror's size, for the result, counted beside the sync (never failing: 0 if git cannot say).
  const sizing = mirror ? mirrorBytes(mirror) : null;
  if (mirror) result.source = 'git';
  const state = (await readHead(em, repo)) ?? { branch, head: null, target: null };
  // PLAN / ADVANCE / COMMIT, until the stored head is the branch's head.
  while (state.head !== current) {
    const target = state.target ?? current;
    if (state.target !== target || state.branch !== branch) await saveHead(em, repo, { branch, head: state.head, target });
    try {
      if (mirror) await advanceFromGit(opts, mirror, state.head, target, result);
      else await advance(opts, state.head, target, result);
    } catch (err) {
      // A target left over from an interrupted run that is no longer on GitHub: aim at the head.
      if (target !== current && err instanceof GitHubPermanentError && (err.status === 404 || err.status === 422)) {
        log.warn({ repo, target }, 'the interrupted sync target is gone; syncing to the current head');
        state.target = null;
        await saveHead(em, repo, { branch, head: state.head, target: null });
        continue;
      }
      throw err;
    }
    Object.assign(state, { branch, head: target, target: null });
    await saveHead(em, repo, state);
  }
  if (state.branch !== branch) await saveHead(em, repo, { ...state, branch });
  if (sizing) result.mirrorBytes = await sizing;
  log.info({ repo, branch, ...result }, 'commits synced');
  return result;
}

/** The pages of GitHub's three-dot compare `base...head`: commits of head not in the merge base, oldest first. */
async function* compare(opts: SyncOptions, base: string, head: string): AsyncGenerator<GhCompare> {
  const { owner, repo: name } = splitRepo(opts.repo);
  for await (const page of opts.octokit.paginate.iterator('GET /repos/{owner}/{repo}/compare/{basehead}', {
    owner,
    repo: name,
    basehead: `${base}...${head}`,
    per_page: 100,
  })) {
    yield parseGitHub(ghCompare, page.data, `compare ${opts.repo} ${base.slice(0, 7)}...${head.slice(0, 7)}`);
  }
}

/** ADVANCE from `from` (null: nothing known) to `to`. */
async function advance(opts: SyncOptions, from: string | null, to: string, result: CommitStreamResult): Promise<void> {
  const { octokit, repo } = opts;
  const { owner, repo: name } = splitRepo(repo);
  if (from !== null) {
    try {
      let status: string | undefined;
      for await (const cmp of compare(opts, from, to)) {
        status ??= cmp.status;
        await storeUnknown(opts, cmp.commits, result);
      }
      if (status === 'diverged' || status === 'behind') {
        // The old head is not an ancestor of the new one: what only the old line had is gone.
        const gone: string[] = [];
        for await (const cmp of compare(opts, to, from)) gone.push(...cmp.commits.map((c) => c.sha));
        await remove(opts, gone, result, to);
      }
      return;
    } catch (err) {
      // The stored head is gone from GitHub (force-pushed away and collected): list it all.
      if (!(err instanceof GitHubPermanentError && err.status === 404)) throw err;
      opts.log.warn({ repo, from }, 'the last synced head is gone from GitHub; re-listing the branch');
    }
  }

  const { since, reconcile } = await fullListing(opts);
  const listed = new Set<string>();
  for await (const page of octokit.paginate.iterator('GET /repos/{owner}/{repo}/commits', {
    owner,
    repo: name,
    sha: to,
    per_page: 100,
    ...(since ? { since: since.toISOString() } : {}),
  })) {
    const items = (page.data as unknown[]).map((c) => parseGitHub(ghCommitListItem, c, `commit list of ${repo}`));
    items.forEach((c) => listed.add(c.sha));
    await storeUnknown(opts, items, result);
  }
  if (reconcile) await removeUnlisted(opts, listed, result, to);
}

/**
 * How a listing of the whole branch runs: a repository's first sync starts at the initial window;
 * once commits are stored it lists everything, and the stored commits it did not list are removed.
 */
async function fullListing(opts: SyncOptions): Promise<{ since: Date | null; reconcile: boolean }> {
  return (await anyCommitStored(opts.em, opts.repo)) ? { since: null, reconcile: true } : { since: initialWindowStart(opts), reconcile: false };
}

/** Reconcile: stored commits of this repository that the branch no longer has. */
async function removeUnlisted(opts: SyncOptions, listed: Set<string>, result: CommitStreamResult, target: string): Promise<void> {
  await remove(
    opts,
    (await storedShas(opts.em, opts.repo)).filter((sha) => !listed.has(sha)),
    result,
    target,
  );
}

/**
 * ADVANCE from `from` to `to` with git: the new commits are exactly `git rev-list to ^from` (merges of
 * older work and merged branches included by construction), the commits that left the branch
 * (force-push, changed default branch) `git rev-list from ^to`. Without a stored head (or with one the
 * mirror no longer has) the branch is read whole (a first sync: since GITHUB_SYNC_INITIAL_DAYS) and
 * stored commits it no longer has are removed, as the API path does.
 */
async function advanceFromGit(opts: SyncOptions, m: Mirror, from: string | null, to: string, result: CommitStreamResult): Promise<void> {
  // A listing fails where the mirror lacks `to` (fetched before the branch moved on): asked then, not before every listing.
  const list = (exclude: string[], since?: Date | null) =>
    revListEmails(m, to, exclude, since).catch(async (err: unknown) => {
      if (!(await hasCommit(m, to))) throw new TransientError(`the mirror of ${opts.repo} does not have ${to} yet`);
      throw err;
    });
  if (from !== null && (await hasCommit(m, from))) {
    await storeFromGit(opts, m, await list([from]), async () => listedAuthors(authorPages(opts, to)), result);
    await remove(opts, await revList(m, from, [to]), result, to);
    return;
  }
  const { since, reconcile } = await fullListing(opts);
  const listed = await list([], since);
  const pages = async () => {
    // Where each commit is in the branch's list (newest first, as GitHub pages it): the whole branch's order.
    const order = since ? await revList(m, to) : [...listed.keys()];
    return listedAuthors(authorPages(opts, to, new Map(order.map((sha, i) => [sha, order.length - 1 - i]))));
  };
  await storeFromGit(opts, m, listed, pages, result);
  if (reconcile) await removeUnlisted(opts, new Set(listed.keys()), result, to);
}

/** The authors the commit list shows, as a lookup; its pages' commits are held only until their chunk is asked for. */
function listedAuthors(pages: (shas: string[]) => Promise<Map<string, GhCommitListItem>>): AuthorLookup {
  return {
    async authors(shas) {
      const known = await pages(shas);
      const out = new Map(shas.map((sha) => [sha, known.get(sha)?.author ?? null]));
      for (const sha of shas) known.delete(sha);
      return out;
    },
    stop: () => undefined,
  };
}

/**
 * Who GitHub says wrote each commit, where GraphQL is not used (GITHUB_PULLS_FROM=rest; otherwise
 * commit-authors.ts asks once per email): the commit list, 100 commits a request. When the position
 * of each commit in the branch's list is known (a first sync: git's own `rev-list` of the head, the
 * order GitHub lists in), the pages holding the commits asked for are requested by number,
 * AUTHOR_PAGE_CONCURRENCY at a time. What they do not bring (an order that differs), or without
 * positions: the branch is read from its head page by page while pages bring commits being written;
 * once a page brings none of them, the list is asked from the newest missing commit itself
 * (`?sha=<it>`: it and its 99 nearest ancestors, so a merged old branch costs one request, not the
 * pages of history between it and the head).
 */
function authorPages(opts: SyncOptions, head: string, positions?: Map<string, number>): (shas: string[]) => Promise<Map<string, GhCommitListItem>> {
  const { owner, repo: name } = splitRepo(opts.repo);
  const known = new Map<string, GhCommitListItem>();
  const asked = new Set<string>();
  const pagesRead = new Set<number>();
  const pages = opts.octokit.paginate.iterator('GET /repos/{owner}/{repo}/commits', { owner, repo: name, sha: head, per_page: 100 })[Symbol.asyncIterator]();
  let fromHead = true;
  const add = (data: unknown) => {
    for (const c of data as unknown[]) {
      const item = parseGitHub(ghCommitListItem, c, `commit list of ${opts.repo}`);
      known.set(item.sha, item);
    }
  };
  const byNumber = async (shas: string[]) => {
    const wanted = new Set(shas.flatMap((s) => (known.has(s) || positions!.get(s) === undefined ? [] : [Math.floor(positions!.get(s)! / 100) + 1])));
    const numbers = [...wanted].filter((p) => !pagesRead.has(p));
    await mapLimit(numbers, AUTHOR_PAGE_CONCURRENCY, async (page) => {
      add((await opts.octokit.request('GET /repos/{owner}/{repo}/commits', { owner, repo: name, sha: head, per_page: 100, page })).data);
      pagesRead.add(page);
    });
  };
  return async (shas) => {
    if (positions) await byNumber(shas);
    for (;;) {
      const missing = shas.filter((s) => !known.has(s) && !asked.has(s));
      if (missing.length === 0) return known;
      if (fromHead) {
        const page = await pages.next();
        const wanted = new Set(missing);
        if (page.done || !(page.value.data as { sha?: string }[]).some((c) => c.sha && wanted.has(c.sha))) fromHead = false;
        if (!page.done) add(page.value.data);
        continue;
      }
      // The newest missing commit (the list is oldest first): its ancestors are the others, most likely.
      const from = missing.at(-1)!;
      asked.add(from);
      add((await opts.octokit.request('GET /repos/{owner}/{repo}/commits', { owner, repo: name, sha: from, per_page: 100 })).data);
    }
  };
}

/** Commit-list pages requested at once when their numbers are known (a first sync). */
const AUTHOR_PAGE_CONCURRENCY = 4;

/**
 * Commits GIT_CHUNK at a time (`commits`: sha → author email, oldest first): files and numbers from
 * the mirror, written like the API path's, authors from GitHub: asked by email of GraphQL, or where
 * GraphQL is not used (GITHUB_PULLS_FROM=rest) from the REST commit list (`restAuthors`).
 */
async function storeFromGit(
  opts: SyncOptions,
  m: Mirror,
  commits: Map<string, string>,
  restAuthors: () => Promise<AuthorLookup>,
  result: CommitStreamResult,
): Promise<void> {
  const shas = [...commits.keys()];
  result.fetched += shas.length;
  if (shas.length === 0) return;
  // Git starts reading before the stored commits are looked up: most often none is (a first sync, a push's new commits).
  let reader = new PreparedCommitReader(m, opts.repo, shas, GIT_CHUNK, GIT_FIRST_CHUNK);
  try {
    const known = await knownShas(opts.em, shas);
    const fresh = shas.filter((s) => !known.has(s));
    if (fresh.length === 0) return;
    if (known.size > 0) {
      reader.close();
      reader = new PreparedCommitReader(m, opts.repo, fresh, GIT_CHUNK, GIT_FIRST_CHUNK);
    }
    const authors =
      opts.pullsFrom === 'rest'
        ? await restAuthors()
        : authorsByEmail(opts.octokit, opts.repo, new Map(fresh.map((sha) => [sha, commits.get(sha)!])), opts.signal);
    try {
      await storeChunks(opts, reader, fresh, authors, result);
    } finally {
      authors.stop();
    }
  } finally {
    reader.close();
  }
}

/**
 * The chunks of `fresh` (commits not stored yet), read from git and made ready to write on the
 * commit thread (`reader`: the next chunk while one is written; the caller closes it), each given its
 * authors (the next chunk's asked while one is written) and written in one transaction.
 */
async function storeChunks(opts: SyncOptions, reader: PreparedCommitReader, fresh: string[], authors: AuthorLookup, result: CommitStreamResult): Promise<void> {
  const total = result.written + fresh.length;
  // Chunk k's authors, asked by the reader's own chunk lengths (while chunk k - 1 is written).
  let asked = 0;
  const authorsOf = (k: number) => {
    const shas = fresh.slice(asked, asked + reader.lengths[k]!);
    asked += shas.length;
    const answer = authors.authors(shas);
    // Awaited when its chunk is written; a failure there (or none, if a write fails first) is not left unhandled.
    answer.catch(() => undefined);
    return answer;
  };
  let next = authorsOf(0);
  let k = 0;
  // The next chunk: read, its rows and COPY text made, its authors known (null: none left).
  const ready = async (): Promise<CommitChunk | null> => {
    const read = await reader.next();
    if (read.done) return null;
    const byAuthor = await next;
    k += 1;
    if (k < reader.lengths.length) next = authorsOf(k);
    return withAuthors(read.value, byAuthor);
  };
  for (let coming = ready(); ;) {
    const chunk = await coming;
    if (!chunk) return;
    // The chunk after this one is made ready while this one is written.
    coming = ready();
    coming.catch(() => undefined);
    opts.signal?.throwIfAborted();
    await opts.em.transactional(async (tx) => {
      result.written += await writeCommitChunk(tx, chunk);
    });
    await opts.progress?.({ stream: 'commits', source: 'git', fetched: result.fetched, written: result.written, total });
  }
}

async function remove(opts: SyncOptions, shas: string[], result: CommitStreamResult, target: string): Promise<void> {
  if (shas.length === 0) return;
  await opts.em.transactional(async (tx) => {
    // Only for the target this run saved: a commit is never removed on the word of a stale run.
    const saved = await lockTarget(tx, opts.repo);
    if (saved !== target) {
      throw new TransientError(`the commit sync target of ${opts.repo} changed under this run (${saved ?? 'none'}, not ${target}): nothing removed`);
    }
    const { deleted, developerIds } = await deleteCommits(tx, opts.repo, shas);
    result.removed += deleted;
    await markDirty(tx, developerIds);
  });
  opts.log.info({ repo: opts.repo, removed: shas.length }, 'commits that left the default branch removed');
}

/** Fetch in detail and write the listed commits not stored yet, COMMIT_CHUNK at a time. */
async function storeUnknown(opts: SyncOptions, items: GhCommitListItem[], result: CommitStreamResult): Promise<void> {
  result.fetched += items.length;
  const known = await knownShas(
    opts.em,
    items.map((c) => c.sha),
  );
  const fresh = items.filter((c) => !known.has(c.sha));
  // What this run will have written once these are: the progress total (it grows page by page).
  const total = result.written + fresh.length;
  const chunk = opts.detailConcurrency ?? COMMIT_CHUNK;
  for (let i = 0; i < fresh.length; i += chunk) {
    // Between chunks: a shutdown stops here, every written chunk committed; the next run resumes
    // from the saved target (the head is only moved once all of it is stored).
    opts.signal?.throwIfAborted();
    const details = await mapLimit(fresh.slice(i, i + chunk), chunk, (c) => fetchCommit(opts.octokit, opts.repo, c.sha));
    const ready = await prepareChunk(opts.repo, details);
    await opts.em.transactional(async (tx) => {
      result.written += await writeCommitChunk(tx, ready);
    });
    await opts.progress?.({ stream: 'commits', fetched: result.fetched, written: result.written, total });
  }
}

/**
 * One chunk of commits (prepareChunk), in the caller's transaction: developers (GitHub authors, and accounts named
 * by noreply addresses), identities learnt, each commit attributed (GitHub's author, else its
 * email), graph and co-author rows, earlier unattributed commits of newly known emails, and the
 * profile-refresh marks of everyone whose work changed. Returns the commits inserted or attributed.
 */
export async function writeCommitChunk(tx: EntityManager, { rows, copy, users }: CommitChunk): Promise<number> {
  const devs = await upsertDevelopers(tx, users);

  // Accounts named by `<id>+<login>@users.noreply.github.com` (author or co-author).
  const emails = rows.flatMap((r) => [...(r.author_email ? [r.author_email] : []), ...r.coauthors.map((a) => a.email)]);
  const noreply = emails.flatMap((e) => {
    const n = parseNoreply(e);
    return n?.id ? [{ email: e, github_id: n.id, github_username: n.login }] : [];
  });
  const byId = await ensureDevelopersById(tx, noreply);

  const learnt: LearntIdentity[] = [];
  for (const r of rows) {
    const dev = r.author_github_id === null ? undefined : devs.get(r.author_github_id);
    if (dev && r.author_email) learnt.push({ email: r.author_email, developer_id: dev, source: 'github' });
  }
  for (const n of noreply) {
    const dev = byId.get(n.github_id);
    if (dev) learnt.push({ email: n.email, developer_id: dev, source: 'noreply' });
  }
  const newEmails = await learnIdentities(tx, learnt);
  // Developers who appear now claim their login's older noreply address on earlier commits and credits.
  newEmails.push(...(await learnLoginNoreply(tx, [...devs.values(), ...byId.values()])));
  const resolved = await resolveEmails(tx, emails);

  const withDevelopers = rows.map((r) => ({
    ...r,
    developer_id: r.author_github_id !== null ? (devs.get(r.author_github_id) ?? null) : r.author_email ? (resolved.get(r.author_email) ?? null) : null,
  }));
  const written = await upsertCommits(tx, withDevelopers, copy);
  const writtenShas = new Set(written.map((w) => w.sha));
  // The issues each commit message refers to (a commit's message never changes: added once).
  await writeReferences(
    tx,
    'commit',
    rows
      .map((r) => ({ source_id: r.sha, refs: referenceRows([{ text: r.message, foundIn: 'message', github: true }], r.repository_full_name) }))
      .filter((x) => x.refs.length > 0),
  );
  const coauthors = rows.flatMap((r) => r.coauthors.map((a) => ({ sha: r.sha, email: a.email, name: a.name, developer_id: resolved.get(a.email) ?? null })));
  await insertCoauthors(tx, coauthors);
  const reattributed = await reattribute(tx, newEmails);

  await markDirty(tx, [
    ...written.flatMap((w) => (w.developer_id ? [w.developer_id] : [])),
    ...coauthors.flatMap((a) => (a.developer_id && writtenShas.has(a.sha) ? [a.developer_id] : [])),
    ...reattributed,
  ]);
  return written.length;
}
