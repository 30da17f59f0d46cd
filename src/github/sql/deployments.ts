import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, sql } from '../../db/sql.js';
import type { DeploymentSource } from '../../entities/delivery.js';

/** A deployment as a source reports it, to be a deployments row. */
export interface DeploymentRow {
  repository_full_name: string;
  source: DeploymentSource;
  external_id: number;
  environment: string;
  is_production: boolean;
  sha: string;
  ref: string | null;
  status: string;
  created_at: string;
  succeeded_at: string | null;
  finished_at: string | null;
  failed_at: string | null;
}

/**
 * Insert or update deployments by (repository, source, id), touching a row only when its state
 * changed; a first success, a first failure and a final state, once known, are kept. Returns the rows written.
 */
export async function upsertDeployments(em: EntityManager, rows: DeploymentRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const written = await sql(
    em,
    `INSERT INTO deployments (repository_full_name, source, external_id, environment, is_production, sha, ref, status, created_at, succeeded_at, finished_at, failed_at)
     SELECT r.repository_full_name, r.source, r.external_id, r.environment, r.is_production, r.sha, r.ref, r.status, r.created_at, r.succeeded_at, r.finished_at, r.failed_at
       FROM jsonb_to_recordset(?::jsonb) AS r(repository_full_name text, source text, external_id bigint, environment text, is_production boolean,
            sha text, ref text, status text, created_at timestamptz, succeeded_at timestamptz, finished_at timestamptz, failed_at timestamptz)
     ON CONFLICT (repository_full_name, source, external_id) DO UPDATE SET
            environment = EXCLUDED.environment, is_production = EXCLUDED.is_production, status = EXCLUDED.status,
            succeeded_at = COALESCE(deployments.succeeded_at, EXCLUDED.succeeded_at),
            finished_at = COALESCE(deployments.finished_at, EXCLUDED.finished_at),
            failed_at = COALESCE(deployments.failed_at, EXCLUDED.failed_at), updated_at = now()
      WHERE (deployments.environment, deployments.is_production, deployments.status, deployments.succeeded_at, deployments.finished_at, deployments.failed_at)
            IS DISTINCT FROM (EXCLUDED.environment, EXCLUDED.is_production, EXCLUDED.status, COALESCE(deployments.succeeded_at, EXCLUDED.succeeded_at),
                              COALESCE(deployments.finished_at, EXCLUDED.finished_at), COALESCE(deployments.failed_at, EXCLUDED.failed_at))
     RETURNING id`,
    [JSON.stringify(rows)],
  );
  return written.length;
}

/**
 * What is stored of a repository's deployments of a source: of the given ids, those already in a
 * final state; and the ids of every stored deployment not in one yet.
 */
export async function storedStates(
  em: EntityManager,
  repo: string,
  source: DeploymentSource,
  ids: number[],
): Promise<{ finished: Set<number>; unfinished: number[] }> {
  const rows = await sql<{ external_id: string; finished: boolean }>(
    em,
    `SELECT external_id, finished_at IS NOT NULL AS finished FROM deployments
      WHERE repository_full_name = ? AND source = ? AND (finished_at IS NULL OR external_id = ANY(?::bigint[])) ORDER BY external_id`,
    [repo, source, pgArray(ids)],
  );
  return {
    finished: new Set(rows.filter((r) => r.finished).map((r) => Number(r.external_id))),
    unfinished: rows.filter((r) => !r.finished).map((r) => Number(r.external_id)),
  };
}

export interface DeploymentSettingRow {
  source: DeploymentSource | null;
  workflow_pattern: string | null;
  chosen_source: string | null;
}

/** A repository's deployment setting (all null when it has none). */
export async function deploymentSetting(em: EntityManager, repo: string): Promise<DeploymentSettingRow> {
  const [row] = await sql<DeploymentSettingRow>(em, `SELECT source, workflow_pattern, chosen_source FROM deployment_settings WHERE repository_full_name = ?`, [
    repo,
  ]);
  return row ?? { source: null, workflow_pattern: null, chosen_source: null };
}

/**
 * Set where a repository's deployments come from (null: chosen by the sync); the sync chooses again,
 * and reads again from the initial window what a pattern selects (workflow runs, tags, merges).
 */
export async function writeDeploymentSetting(
  em: EntityManager,
  repo: string,
  s: { source: DeploymentSource | null; workflowPattern: string | null },
): Promise<void> {
  await sql(
    em,
    `INSERT INTO deployment_settings (repository_full_name, source, workflow_pattern) VALUES (?, ?, ?)
     ON CONFLICT (repository_full_name) DO UPDATE SET source = EXCLUDED.source, workflow_pattern = EXCLUDED.workflow_pattern, chosen_source = NULL, updated_at = now()`,
    [repo, s.source, s.workflowPattern],
  );
  // Another source, or another pattern, lists other things: its first sync starts from the initial
  // window, not this cursor; what a pattern chose (workflow runs, tags, merges) is chosen again.
  await sql(em, `DELETE FROM github_sync_cursors WHERE repository_full_name = ? AND stream = 'deployments'`, [repo]);
  await sql(
    em,
    `WITH gone AS (DELETE FROM deployments WHERE repository_full_name = ? AND source IN ('workflow-runs', 'tags', 'merges') RETURNING id),
          shipped AS (DELETE FROM deployment_commits WHERE deployment_id IN (SELECT id FROM gone))
     DELETE FROM deployment_shipments WHERE deployment_id IN (SELECT id FROM gone)`,
    [repo],
  );
}

/** What the sync chose (or 'none'), kept so it is not probed for again. */
export async function recordChosenSource(em: EntityManager, repo: string, chosen: string): Promise<void> {
  await sql(
    em,
    `INSERT INTO deployment_settings (repository_full_name, chosen_source) VALUES (?, ?)
     ON CONFLICT (repository_full_name) DO UPDATE SET chosen_source = EXCLUDED.chosen_source, updated_at = now()
      WHERE deployment_settings.chosen_source IS DISTINCT FROM EXCLUDED.chosen_source`,
    [repo, chosen],
  );
}

export interface StoredDeployment {
  repository_full_name: string;
  source: string;
  external_id: string;
  environment: string;
  is_production: boolean;
  sha: string;
  status: string;
  created_at: Date;
  succeeded_at: Date | null;
}

/** The newest deployments (of one repository, or of all), newest first. */
export async function latestDeployments(em: EntityManager, repo: string | null, limit: number): Promise<StoredDeployment[]> {
  return sql<StoredDeployment>(
    em,
    `SELECT repository_full_name, source, external_id, environment, is_production, sha, status, created_at, succeeded_at FROM deployments
      WHERE (?::text IS NULL OR repository_full_name = ?) ORDER BY created_at DESC, external_id DESC LIMIT ?`,
    [repo, repo, limit],
  );
}

/** A successful production deployment, in the order its shipments are computed. */
export interface ShippedDeployment {
  id: string;
  sha: string;
  succeeded_at: Date;
}

/**
 * A repository's successful production deployments (of one source) from the earliest one whose
 * shipment is not known yet, by first success; with the sha live before it (null: none). Their
 * shipments, and those of every later one, are then (re)computed in that order.
 */
export async function deploymentsToShip(em: EntityManager, repo: string, source: string): Promise<{ before: string | null; deployments: ShippedDeployment[] }> {
  const rows = await sql<{ id: string; sha: string; succeeded_at: Date; known: boolean | null }>(
    em,
    `SELECT d.id, d.sha, d.succeeded_at, (SELECT s.sha_known FROM deployment_shipments s WHERE s.deployment_id = d.id) AS known
       FROM deployments d WHERE d.repository_full_name = ? AND d.source = ? AND d.is_production AND d.succeeded_at IS NOT NULL
      ORDER BY d.succeeded_at, d.external_id`,
    [repo, source],
  );
  const start = rows.findIndex((r) => r.known === null);
  if (start < 0) return { before: null, deployments: [] };
  // What was live before: the last earlier deployment whose sha the repository has.
  const before = rows.slice(0, start).findLast((r) => r.known === true)?.sha ?? null;
  return { before, deployments: rows.slice(start).map((r) => ({ id: r.id, sha: r.sha, succeeded_at: r.succeeded_at })) };
}

/** Record what one deployment shipped (replacing what was recorded before). */
export async function writeShipment(
  em: EntityManager,
  deploymentId: string,
  s: { previousSha: string | null; shaKnown: boolean; commits: string[] },
): Promise<void> {
  await sql(em, `DELETE FROM deployment_commits WHERE deployment_id = ?`, [deploymentId]);
  await sql(
    em,
    `INSERT INTO deployment_shipments (deployment_id, previous_sha, commits, sha_known) VALUES (?, ?, ?, ?)
     ON CONFLICT (deployment_id) DO UPDATE SET previous_sha = EXCLUDED.previous_sha, commits = EXCLUDED.commits, sha_known = EXCLUDED.sha_known, computed_at = now()`,
    [deploymentId, s.previousSha, s.commits.length, s.shaKnown],
  );
  if (s.commits.length === 0) return;
  await sql(em, `INSERT INTO deployment_commits (deployment_id, sha) SELECT ?, unnest(?::varchar[]) ON CONFLICT DO NOTHING`, [
    deploymentId,
    pgArray(s.commits),
  ]);
}

/**
 * Is this commit in the stored history (commit_graph)? 'not yet' when it is not but the commit stream
 * has not synced the repository since `at` (its commits may still come).
 */
export async function storedCommit(em: EntityManager, repo: string, sha: string, at: Date): Promise<boolean | 'not yet'> {
  const [row] = await sql<{ stored: boolean; synced: boolean }>(
    em,
    `SELECT EXISTS (SELECT 1 FROM commit_graph WHERE sha = ?) AS stored,
            EXISTS (SELECT 1 FROM github_commit_heads WHERE repository_full_name = ? AND head_sha IS NOT NULL AND updated_at > ?) AS synced`,
    [sha, repo, at],
  );
  return row!.stored ? true : row!.synced ? false : 'not yet';
}

/**
 * `git rev-list <include> ^<exclude>` over the stored commit graph (commit_graph's parents), for a
 * repository whose commits come from the API: the stored commits reachable from `include` and not
 * from `exclude`; without `exclude`, those committed at or after `since` (as git's answer with the
 * initial window). The history before what is stored ends both walks alike.
 */
export async function storedRevList(em: EntityManager, include: string, exclude: string | null, since: Date | null): Promise<string[]> {
  const rows = await sql<{ sha: string }>(
    em,
    `WITH RECURSIVE
       ours(sha) AS (SELECT ?::text UNION SELECT unnest(g.parent_shas) FROM ours o JOIN commit_graph g ON g.sha = o.sha),
       theirs(sha) AS (SELECT ?::text WHERE ?::text IS NOT NULL UNION SELECT unnest(g.parent_shas) FROM theirs t JOIN commit_graph g ON g.sha = t.sha)
     SELECT g.sha FROM ours o JOIN commit_graph g ON g.sha = o.sha
      WHERE NOT EXISTS (SELECT 1 FROM theirs t WHERE t.sha = o.sha) AND (?::timestamptz IS NULL OR g.committer_date >= ?::timestamptz)
      ORDER BY g.committer_date, g.sha`,
    [include, exclude, exclude, exclude ? null : since, exclude ? null : since],
  );
  return rows.map((r) => r.sha);
}
