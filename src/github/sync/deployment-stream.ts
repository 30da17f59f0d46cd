import { ghDeployment, ghDeploymentStatus, parseGitHub, type GhDeployment } from '../api/schemas.js';
import { advanceCursor, readCursor } from '../sql/cursors.js';
import { finishedDeployments, unfinishedDeployments, upsertDeployments, type DeploymentRow } from '../sql/deployments.js';
import { mapLimit, splitRepo } from './fetch.js';
import { storableText } from '../../lib/text.js';
import { initialWindowStart, type StreamResult, type SyncOptions } from './stream-options.js';

/** A deployment's states that are final: it will not change what it shipped or whether it failed. */
const FINAL = new Set(['success', 'failure', 'error']);

export interface DeploymentsResult extends StreamResult {
  source: 'deployments-api';
}

/**
 * A repository's deployments from the Deployments API, newest first, back to the cursor (minus the
 * overlap; a first sync: GITHUB_SYNC_INITIAL_DAYS). Each listed deployment not yet in a final state,
 * and every stored one still unfinished, has its statuses read: its state is the newest status, its
 * success the first `success`, its end the first final status. Written in one statement; the cursor
 * moves after.
 */
export async function syncDeployments(opts: SyncOptions & { production: RegExp }): Promise<DeploymentsResult> {
  const cursor = await readCursor(opts.em, opts.repo, 'deployments');
  const stopBefore = cursor ? new Date(cursor.getTime() - opts.overlapMinutes * 60_000) : initialWindowStart(opts);
  const { listed, newest } = await listDeployments(opts, stopBefore);
  const done = await finishedDeployments(
    opts.em,
    opts.repo,
    'deployments-api',
    listed.map((d) => d.id),
  );
  const stale = new Set(await unfinishedDeployments(opts.em, opts.repo, 'deployments-api'));
  const toRead = [...new Map([...listed.filter((d) => !done.has(d.id)), ...(await staleDeployments(opts, stale, listed))].map((d) => [d.id, d])).values()];
  opts.signal?.throwIfAborted();
  const rows = await mapLimit(toRead, opts.detailConcurrency ?? 4, async (d) => rowOf(opts, d, await statusesOf(opts, d.id)));
  const written = await upsertDeployments(opts.em, rows);
  const cursorMoved = newest ? await advanceCursor(opts.em, opts.repo, 'deployments', newest) : false;
  opts.log.info({ repo: opts.repo, listed: listed.length, read: toRead.length, written }, 'deployments synced');
  return { fetched: listed.length, written, cursorMoved, source: 'deployments-api' };
}

async function listDeployments(opts: SyncOptions, stopBefore: Date | null): Promise<{ listed: GhDeployment[]; newest: Date | null }> {
  const { owner, repo } = splitRepo(opts.repo);
  const listed: GhDeployment[] = [];
  let newest: Date | null = null;
  for await (const page of opts.octokit.paginate.iterator('GET /repos/{owner}/{repo}/deployments', { owner, repo, per_page: 100 })) {
    for (const raw of page.data as unknown[]) {
      const d = parseGitHub(ghDeployment, raw, `deployments of ${opts.repo}`);
      const created = new Date(d.created_at);
      if (stopBefore && created < stopBefore) return { listed, newest };
      if (!newest || created > newest) newest = created;
      listed.push(d);
    }
  }
  return { listed, newest };
}

/** Stored deployments still unfinished that the listing did not reach: read one by one. */
async function staleDeployments(opts: SyncOptions, stale: Set<number>, listed: GhDeployment[]): Promise<GhDeployment[]> {
  const { owner, repo } = splitRepo(opts.repo);
  const missing = [...stale].filter((id) => !listed.some((d) => d.id === id));
  return mapLimit(missing, opts.detailConcurrency ?? 4, async (id) =>
    parseGitHub(
      ghDeployment,
      (await opts.octokit.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}', { owner, repo, deployment_id: id })).data,
      `deployment ${id} of ${opts.repo}`,
    ),
  );
}

async function statusesOf(opts: SyncOptions, id: number) {
  const { owner, repo } = splitRepo(opts.repo);
  const all = await opts.octokit.paginate('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { owner, repo, deployment_id: id, per_page: 100 });
  return (all as unknown[]).map((raw) => parseGitHub(ghDeploymentStatus, raw, `statuses of deployment ${id} of ${opts.repo}`));
}

/** The row of a deployment from its statuses (any order: sorted here by time, then id). */
function rowOf(opts: SyncOptions & { production: RegExp }, d: GhDeployment, statuses: { id: number; state: string; created_at: string }[]): DeploymentRow {
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
  };
}
