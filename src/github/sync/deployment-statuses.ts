import { graphqlNodes } from '../api/graphql.js';
import { ghDeploymentStatus, parseGitHub, type GhDeployment } from '../api/schemas.js';
import { splitRepo } from './fetch.js';
import { mapLimit } from '../../lib/map-limit.js';
import type { SyncOptions } from './stream-options.js';

/** A deployment's status as the sync reads it: ids increase with time within a deployment. */
export interface DeploymentStatusRow {
  id: number;
  state: string;
  created_at: string;
}

/**
 * The statuses of up to 100 deployments in one request, by the node ids REST gives them (GitHub
 * returns a deployment's statuses newest first, as REST does). A connection costs one point per 100
 * nodes: 100 deployments with 100 statuses each cost 1 point.
 */
const STATUSES = `query($ids: [ID!]!) {
  rateLimit { cost remaining resetAt }
  nodes(ids: $ids) { ... on Deployment { databaseId statuses(first: 100) { totalCount nodes { state createdAt } } } }
}`;

interface GqlDeployment {
  databaseId: number | null;
  statuses: { totalCount: number; nodes: { state: string; createdAt: string }[] } | null;
}

/**
 * Each deployment's statuses: with GITHUB_DEPLOYMENTS_FROM=graphql, those of the `fresh` ones (never
 * read) 100 deployments per GraphQL request; the ones read before (`again`: unfinished then), one
 * GraphQL does not resolve or with more than 100 statuses, and everything with `rest`, through
 * `GET …/deployments/{id}/statuses` (a request each, every page; unchanged since the last read, a
 * 304 that costs nothing).
 */
export async function statusesOfDeployments(opts: SyncOptions, fresh: GhDeployment[], again: GhDeployment[]): Promise<Map<number, DeploymentStatusRow[]>> {
  const out = new Map<number, DeploymentStatusRow[]>();
  const nodes = await graphqlNodes<GqlDeployment>(opts.octokit, STATUSES, opts.deploymentsFrom === 'rest' ? [] : fresh, {
    what: `statuses of ${opts.repo}'s deployments`,
    signal: opts.signal,
  });
  for (const [id, node] of nodes) {
    const statuses = node.statuses;
    if (!statuses || statuses.totalCount > statuses.nodes.length) continue;
    const n = statuses.nodes.length;
    out.set(
      id,
      statuses.nodes.map((s, j) => ({ id: n - j, state: s.state.toLowerCase(), created_at: s.createdAt })),
    );
  }
  const rest = [...fresh, ...again].filter((d) => !out.has(d.id));
  await mapLimit(rest, opts.detailConcurrency ?? 4, async (d) => out.set(d.id, await restStatuses(opts, d.id)));
  return out;
}

async function restStatuses(opts: SyncOptions, id: number): Promise<DeploymentStatusRow[]> {
  const { owner, repo } = splitRepo(opts.repo);
  const all = await opts.octokit.paginate('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { owner, repo, deployment_id: id, per_page: 100 });
  return (all as unknown[]).map((raw) => parseGitHub(ghDeploymentStatus, raw, `statuses of deployment ${id} of ${opts.repo}`));
}
