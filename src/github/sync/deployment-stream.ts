import { ghDeployment, ghRepository, ghWorkflowRun, parseGitHub, type GhDeployment, type GhWorkflowRun } from '../api/schemas.js';
import { storableText } from '../../lib/text.js';
import { advanceCursor, readCursor } from '../sql/cursors.js';
import { deploymentSetting, recordChosenSource, storedStates, upsertDeployments, type DeploymentRow } from '../sql/deployments.js';
import type { DeploymentSource } from '../../entities/delivery.js';
import { withCommitStreamLock } from './commit-lock.js';
import { splitRepo } from './fetch.js';
import { mapLimit } from '../../lib/map-limit.js';
import { commitTags, firstParentLine, mirrorHead, type Mirror } from './git.js';
import { recordShipments } from './shipments.js';
import { statusesOfDeployments } from './deployment-statuses.js';
import { initialWindowStart, type StreamResult, type SyncOptions } from './stream-options.js';

/** A deployment's states that are final: it will not change what it shipped or whether it failed. */
const FINAL = new Set(['success', 'failure', 'error']);
/** A run's conclusions that are a failed deployment (`cancelled`, `skipped`, `neutral` are not). */
const FAILED_RUNS = new Set(['failure', 'timed_out', 'startup_failure']);
/** The release tags, when a repository names none: `1.2`, `v1.2.3`, `v2.0.0-rc.1`. */
export const DEFAULT_TAG_PATTERN = '^v?\\d+\\.\\d+';
/** The workflows that deploy, when a repository names none: any whose name or file says so. */
export const DEFAULT_WORKFLOW_PATTERN = 'deploy';

export interface DeploymentsResult extends StreamResult {
  /** Deployments whose shipped commits were (re)computed from git. */
  shipped: number;
  /** Where they were read from; `none`: the repository has neither deployments nor deploying workflow runs. */
  source: DeploymentSource | 'none';
}

type Options = SyncOptions & { production: RegExp };

/** What a repository with nothing to read from reports. */
const NONE: DeploymentsResult = { fetched: 0, written: 0, cursorMoved: false, source: 'none', shipped: 0 };

/**
 * A repository's deployments, from the source its setting names, else the one the sync chooses (and
 * records): the Deployments API when the repository has a deployment to a production environment,
 * else GitHub Actions runs on the default branch of a workflow whose name or file matches the
 * setting's pattern (default `deploy`), else the commits of its release tags, else each change that
 * landed on the default branch (git's first-parent line of it); the last two need the git mirror
 * (without it the repository reports `none`). A repository on those fallbacks is probed again on
 * every sync (two requests, 304s when nothing changed), so it moves to a real source as soon as it
 * has one.
 */
export async function syncDeployments(opts: Options): Promise<DeploymentsResult> {
  const setting = await deploymentSetting(opts.em, opts.repo);
  // The setting's pattern is its source's: the tags' when set to tags, else the workflows'.
  const pattern = setting.workflow_pattern;
  const workflows = new RegExp((setting.source !== 'tags' && pattern) || DEFAULT_WORKFLOW_PATTERN, 'i');
  const tags = new RegExp((setting.source === 'tags' && pattern) || DEFAULT_TAG_PATTERN);
  const known = setting.chosen_source === 'deployments-api' || setting.chosen_source === 'workflow-runs' ? setting.chosen_source : null;
  // The mirror is fetched once per run, whatever reads it (the merges, then what deployments shipped).
  const run = { ...opts, mirror: opts.mirror && once(opts.mirror) };
  const source = setting.source ?? known ?? (await chooseSource(run, workflows, tags));
  if (!setting.source) await recordChosenSource(opts.em, opts.repo, source);
  if (source === 'deployments-api') return fromDeploymentsApi(run);
  if (source === 'workflow-runs') return fromWorkflowRuns(run, workflows);
  if (source === 'tags') return fromTags(run, tags);
  if (source === 'merges') return fromMerges(run);
  opts.log.info({ repo: opts.repo, source }, 'no deployments to read');
  return { ...NONE };
}

async function chooseSource(opts: Options, workflows: RegExp, tags: RegExp): Promise<DeploymentSource | 'none'> {
  const { owner, repo } = splitRepo(opts.repo);
  const first = await opts.octokit.request('GET /repos/{owner}/{repo}/deployments', { owner, repo, per_page: 100 });
  const deployments = (first.data as unknown[]).map((raw) => parseGitHub(ghDeployment, raw, `deployments of ${opts.repo}`));
  if (deployments.some((d) => opts.production.test(d.environment))) return 'deployments-api';
  const runs = await opts.octokit.request('GET /repos/{owner}/{repo}/actions/runs', { owner, repo, branch: await defaultBranch(opts), per_page: 100 });
  const parsed = (runs.data.workflow_runs as unknown[]).map((raw) => parseGitHub(ghWorkflowRun, raw, `workflow runs of ${opts.repo}`));
  if (parsed.some((r) => deploys(r, workflows))) return 'workflow-runs';
  const mirror = opts.mirror ? await withCommitStreamLock(opts.em, opts.repo, opts.mirror) : null;
  if (!mirror) return 'none';
  return (await commitTags(mirror)).some((t) => tags.test(t.name)) ? 'tags' : 'merges';
}

/** The first call's promise, shared by every later call. */
function once<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}

const deploys = (r: GhWorkflowRun, workflows: RegExp) => workflows.test(r.name ?? '') || workflows.test(r.path ?? '');

async function defaultBranch(opts: SyncOptions): Promise<string> {
  const { owner, repo } = splitRepo(opts.repo);
  return parseGitHub(ghRepository, (await opts.octokit.request('GET /repos/{owner}/{repo}', { owner, repo })).data, `repository ${opts.repo}`).default_branch;
}

/** Where a stream starts: back to its cursor minus the overlap, or GITHUB_SYNC_INITIAL_DAYS on a first sync. */
async function stopBefore(opts: SyncOptions): Promise<Date | null> {
  const cursor = await readCursor(opts.em, opts.repo, 'deployments');
  return cursor ? new Date(cursor.getTime() - opts.overlapMinutes * 60_000) : initialWindowStart(opts);
}

/** Rows written, then the cursor moved to the newest listed, then what the new successes shipped. */
async function finish(opts: SyncOptions, source: DeploymentSource, listed: number, rows: DeploymentRow[], newest: Date | null): Promise<DeploymentsResult> {
  const written = await upsertDeployments(opts.em, rows);
  const cursorMoved = newest ? await advanceCursor(opts.em, opts.repo, 'deployments', newest) : false;
  const shipped = await recordShipments(opts, source);
  opts.log.info({ repo: opts.repo, source, listed, read: rows.length, written, shipped }, 'deployments synced');
  return { fetched: listed, written, cursorMoved, source, shipped };
}

/**
 * The Deployments API, newest first back to the cursor (REST: a listing with nothing new is a free
 * 304): each deployment new or not yet final, and every stored one still unfinished, has its statuses
 * read (deployment-statuses.ts: 100 deployments per GraphQL request, or a REST request each): its state is the newest status, its
 * success the first `success`, its end the first final status.
 */
async function fromDeploymentsApi(opts: Options): Promise<DeploymentsResult> {
  const { owner, repo } = splitRepo(opts.repo);
  const pages = opts.octokit.paginate.iterator('GET /repos/{owner}/{repo}/deployments', { owner, repo, per_page: 100 });
  const { listed, newest } = await listBackTo(opts, pages, (raw) => parseGitHub(ghDeployment, raw, `deployments of ${opts.repo}`));
  const toRead = await newOrUnfinished(opts, 'deployments-api', listed, async (id) =>
    parseGitHub(
      ghDeployment,
      (await opts.octokit.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}', { owner, repo, deployment_id: id })).data,
      `deployment ${id}`,
    ),
  );
  // New deployments' statuses in bulk; those read before again by REST, whose ETag makes "no change" a free 304.
  const statuses = await statusesOfDeployments(opts, toRead.fresh, toRead.again);
  const rows = [...toRead.fresh, ...toRead.again].map((d) => deploymentRow(opts, d, statuses.get(d.id) ?? []));
  return finish(opts, 'deployments-api', listed.length, rows, newest);
}

/** A listing newest first, back to the stream's cursor: what it keeps, and the newest creation seen (kept or not). */
async function listBackTo<T extends { created_at: string }>(
  opts: SyncOptions,
  pages: AsyncIterable<{ data: unknown }>,
  parse: (raw: unknown) => T,
  keep: (item: T) => boolean = () => true,
): Promise<{ listed: T[]; newest: Date | null }> {
  const stop = await stopBefore(opts);
  const listed: T[] = [];
  let newest: Date | null = null;
  for await (const page of pages) {
    for (const raw of page.data as unknown[]) {
      const item = parse(raw);
      const created = new Date(item.created_at);
      if (stop && created < stop) return { listed, newest };
      if (!newest || created > newest) newest = created;
      if (keep(item)) listed.push(item);
    }
  }
  return { listed, newest };
}

/**
 * Of what was listed, what is not stored in a final state: `fresh`, never stored; `again`, stored
 * unfinished (with those the listing did not reach, read one by one).
 */
async function newOrUnfinished<T extends { id: number }>(
  opts: SyncOptions,
  source: DeploymentSource,
  listed: T[],
  readOne: (id: number) => Promise<T>,
): Promise<{ fresh: T[]; again: T[] }> {
  const { finished, unfinished } = await storedStates(
    opts.em,
    opts.repo,
    source,
    listed.map((x) => x.id),
  );
  const stored = new Set(unfinished);
  const stale = unfinished.filter((id) => !listed.some((x) => x.id === id));
  const staleRead = await mapLimit(stale, opts.detailConcurrency ?? 4, readOne);
  opts.signal?.throwIfAborted();
  const open = listed.filter((x) => !finished.has(x.id));
  return { fresh: open.filter((x) => !stored.has(x.id)), again: [...open.filter((x) => stored.has(x.id)), ...staleRead] };
}

/** The row of a deployment from its statuses (any order: sorted here by time, then id). */
function deploymentRow(opts: Options, d: GhDeployment, statuses: { id: number; state: string; created_at: string }[]): DeploymentRow {
  const ordered = [...statuses].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
  const first = (test: (state: string) => boolean) => ordered.find((s) => test(s.state))?.created_at ?? null;
  return {
    repository_full_name: opts.repo,
    source: 'deployments-api',
    external_id: d.id,
    environment: storableText(d.environment, 255),
    is_production: opts.production.test(d.environment),
    sha: d.sha,
    ref: d.ref ? storableText(d.ref, 255) : null,
    status: ordered.at(-1)?.state ?? 'pending',
    created_at: d.created_at,
    succeeded_at: first((s) => s === 'success'),
    finished_at: first((s) => FINAL.has(s)),
    failed_at: first((s) => s === 'failure' || s === 'error'),
  };
}

/**
 * GitHub Actions runs on the default branch of the workflows that deploy, newest first back to the
 * cursor: each is a deployment to production of its head sha, succeeded when it concluded `success`,
 * finished when completed. Stored runs still unfinished are read again one by one.
 */
async function fromWorkflowRuns(opts: Options, workflows: RegExp): Promise<DeploymentsResult> {
  const { owner, repo } = splitRepo(opts.repo);
  const branch = await defaultBranch(opts);
  const pages = opts.octokit.paginate.iterator('GET /repos/{owner}/{repo}/actions/runs', { owner, repo, branch, per_page: 100 });
  const { listed, newest } = await listBackTo(
    opts,
    pages,
    (raw) => parseGitHub(ghWorkflowRun, raw, `workflow runs of ${opts.repo}`),
    (r) => deploys(r, workflows),
  );
  const toRead = await newOrUnfinished(opts, 'workflow-runs', listed, async (id) =>
    parseGitHub(
      ghWorkflowRun,
      (await opts.octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { owner, repo, run_id: id })).data,
      `workflow run ${id}`,
    ),
  );
  return finish(
    opts,
    'workflow-runs',
    listed.length,
    [...toRead.fresh, ...toRead.again].map((r) => runRow(opts, r)),
    newest,
  );
}

function runRow(opts: Options, r: GhWorkflowRun): DeploymentRow {
  const completed = r.status === 'completed';
  return {
    repository_full_name: opts.repo,
    source: 'workflow-runs',
    external_id: r.id,
    environment: 'production',
    is_production: true,
    sha: r.head_sha,
    ref: r.head_branch ? storableText(r.head_branch, 255) : null,
    status: completed ? (r.conclusion ?? 'completed') : r.status,
    created_at: r.run_started_at ?? r.created_at,
    succeeded_at: completed && r.conclusion === 'success' ? r.updated_at : null,
    finished_at: completed ? r.updated_at : null,
    failed_at: completed && FAILED_RUNS.has(r.conclusion ?? '') ? r.updated_at : null,
  };
}

/**
 * Each change that landed on the default branch is a production deployment when it landed: the
 * first-parent line of the branch's head in the mirror (a merge commit, a squash or rebase merge's
 * commit, a direct push), back to the cursor minus the overlap, each succeeded at its committer time.
 * Its id is the first 13 hex digits of its sha (52 bits, exact in a JavaScript number). A force-push
 * leaves the deployments of the commits it dropped: they did reach the branch.
 */
async function fromMerges(opts: Options): Promise<DeploymentsResult> {
  const mirror = await mirrorFor(opts, 'merges');
  if (!mirror) return { ...NONE };
  const branch = await defaultBranch(opts);
  const head = await mirrorHead(mirror, branch);
  const line = head ? await firstParentLine(mirror, head, await stopBefore(opts)) : [];
  return fromGit(
    opts,
    'merges',
    line.map((c) => ({ sha: c.sha, at: c.committedAt, ref: branch })),
  );
}

/**
 * Each tag whose name matches the pattern (default: release tags, `v1.2.3`) is a production
 * deployment of the commit it points at, when the tag was made (an annotated tag's tagger date, a
 * lightweight one's commit date); a commit tagged twice is one deployment, at its first tag. Back to
 * the cursor minus the overlap. Its id, as for merges, is its sha's first 13 hex digits.
 */
async function fromTags(opts: Options, pattern: RegExp): Promise<DeploymentsResult> {
  const mirror = await mirrorFor(opts, 'tags');
  if (!mirror) return { ...NONE };
  const stop = await stopBefore(opts);
  const first = new Map<string, { sha: string; at: Date; ref: string }>();
  for (const t of (await commitTags(mirror))
    .filter((x) => pattern.test(x.name))
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.name.localeCompare(b.name)))
    if (!first.has(t.sha)) first.set(t.sha, { sha: t.sha, at: t.at, ref: t.name });
  return fromGit(
    opts,
    'tags',
    [...first.values()].filter((t) => !stop || t.at >= stop),
  );
}

/** The mirror, fetched under the commit stream's lock; null (logged) without one. */
async function mirrorFor(opts: Options, source: DeploymentSource): Promise<Mirror | null> {
  const mirror = opts.mirror ? await withCommitStreamLock(opts.em, opts.repo, opts.mirror) : null;
  if (!mirror) opts.log.warn({ repo: opts.repo, source }, `deployments from ${source} need the git mirror: none read`);
  return mirror;
}

/** Deployments that git records (a change landing, a tag): each succeeded when it happened. */
function fromGit(opts: Options, source: 'merges' | 'tags', landed: { sha: string; at: Date; ref: string }[]): Promise<DeploymentsResult> {
  const rows = landed.map(({ sha, at, ref }): DeploymentRow => {
    const when = at.toISOString();
    return {
      repository_full_name: opts.repo,
      source,
      external_id: parseInt(sha.slice(0, 13), 16),
      environment: 'production',
      is_production: true,
      sha,
      ref: storableText(ref, 255),
      status: 'success',
      created_at: when,
      succeeded_at: when,
      finished_at: when,
      failed_at: null,
    };
  });
  const newest = landed.reduce<Date | null>((n, c) => (!n || c.at > n ? c.at : n), null);
  return finish(opts, source, landed.length, rows, newest);
}
