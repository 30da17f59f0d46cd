import { Migration } from '@mikro-orm/migrations';

/**
 * What the DORA numbers read (src/metrics/delivery.ts):
 * - deployments.failed_at: when a deployment first failed (a `failure`/`error` status; a workflow run
 *   concluding `failure`, `timed_out` or `startup_failure`); null when it never did.
 * - commit_reverts: the commits a commit reverts, by git's own line `This reverts commit <sha>`
 *   (written by the sync with the commit; filled here from the commits stored before).
 * - incidents: incidents reported through the signed incident webhook, one per (source, id).
 * - counted_deployments: a repository's production deployments from the source it uses now (its
 *   setting, else the sync's choice), so a repository that changed source is never counted twice.
 * - commit_deployments: each commit's first successful production deployment, per repository.
 * - delivery_incidents: every incident with the deployment it is attributed to, its opening and its
 *   resolution: failed deployments, reverts of deployed work (one per reverted deployment), and the
 *   webhook's incidents.
 */
/** The body of the first delivery_incidents view (a later migration extends it). */
export const DELIVERY_INCIDENTS_V1 = `WITH reverted AS (
  -- git's own line in the reverting commit (kept by GitHub's revert button in every merge mode);
  -- restored when the reverting commit reached production.
  SELECT c.repository_full_name, r.reverted_sha,
         (SELECT cd.deployed_at FROM commit_deployments cd WHERE cd.repository_full_name = c.repository_full_name AND cd.sha = c.sha) AS restored_at
    FROM commit_reverts r JOIN commits c ON c.sha = r.sha
  UNION ALL
  -- a merged pull request titled Revert "X": the newest commit of its repository before its merge
  -- whose subject is X, X (#n) (a squash merge) or the merge of pull request #n titled X; restored
  -- by the first successful production deployment after the merge.
  SELECT gr.repository_full_name, t.sha,
         (SELECT min(n.succeeded_at) FROM counted_deployments n WHERE n.repository_full_name = gr.repository_full_name AND n.succeeded_at >= p.merged_at)
    FROM pull_requests p
    JOIN github_pull_repositories gr ON gr.github_id = p.github_id
    CROSS JOIN LATERAL (SELECT substr(p.title, 9, length(p.title) - 9) AS x) rx
    CROSS JOIN LATERAL (
      SELECT c.sha FROM commits c CROSS JOIN LATERAL (SELECT split_part(c.message, E'\\n', 1) AS subject) s
       WHERE c.repository_full_name = gr.repository_full_name AND c.committed_at <= p.merged_at
         AND (s.subject = rx.x
              OR (left(s.subject, length(rx.x)) = rx.x AND substr(s.subject, length(rx.x) + 1) ~ '^ \\(#[0-9]+\\)$')
              OR (s.subject ~ '^Merge pull request #[0-9]+ ' AND EXISTS (
                    SELECT 1 FROM pull_requests op JOIN github_pull_repositories ogr ON ogr.github_id = op.github_id
                     WHERE ogr.repository_full_name = gr.repository_full_name AND op.title = rx.x
                       AND op.number = substring(s.subject FROM '^Merge pull request #([0-9]+) ')::int)))
       ORDER BY c.committed_at DESC, c.sha LIMIT 1) t
   WHERE p.merged_at IS NOT NULL AND p.title LIKE 'Revert "%"' AND p.title NOT LIKE 'Revert "Revert "%'
)
SELECT 'failed-deployment'::varchar(20) AS kind, d.id::text AS key, d.repository_full_name, d.id AS deployment_id, d.sha,
       'deployment ' || d.external_id || ' to ' || d.environment || ' failed' AS title,
       d.failed_at AS opened_at,
       (SELECT min(n.succeeded_at) FROM counted_deployments n WHERE n.repository_full_name = d.repository_full_name AND n.succeeded_at >= d.failed_at) AS resolved_at
  FROM counted_deployments d
 WHERE d.failed_at IS NOT NULL AND (d.succeeded_at IS NULL OR d.failed_at < d.succeeded_at)
UNION ALL
SELECT 'revert', cd.deployment_id::text, cd.repository_full_name, cd.deployment_id, min(rv.reverted_sha),
       'reverted: ' || min(split_part(c.message, E'\\n', 1)), min(cd.deployed_at), min(rv.restored_at)
  FROM reverted rv
  JOIN commit_deployments cd ON cd.repository_full_name = rv.repository_full_name AND cd.sha = rv.reverted_sha
  JOIN commits c ON c.sha = rv.reverted_sha
 WHERE c.message NOT LIKE 'Revert "%'
 GROUP BY cd.deployment_id, cd.repository_full_name
UNION ALL
SELECT 'webhook', i.external_id, i.repository_full_name,
       CASE
         WHEN i.deployment_external_id IS NOT NULL THEN
           (SELECT d.id FROM counted_deployments d WHERE d.repository_full_name = i.repository_full_name AND d.external_id = i.deployment_external_id)
         WHEN i.sha IS NOT NULL THEN
           coalesce((SELECT cd.deployment_id FROM commit_deployments cd WHERE cd.repository_full_name = i.repository_full_name AND cd.sha = i.sha),
                    (SELECT d.id FROM counted_deployments d WHERE d.repository_full_name = i.repository_full_name AND d.sha = i.sha
                      ORDER BY coalesce(d.succeeded_at, d.failed_at, d.created_at), d.external_id LIMIT 1))
         ELSE
           (SELECT d.id FROM counted_deployments d WHERE d.repository_full_name = i.repository_full_name AND d.succeeded_at <= i.opened_at
             ORDER BY d.succeeded_at DESC, d.external_id DESC LIMIT 1)
       END,
       i.sha, i.title, i.opened_at, i.resolved_at
  FROM incidents i`;

export class Migration20261207010000Incidents extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
ALTER TABLE deployments ADD COLUMN failed_at TIMESTAMP WITH TIME ZONE;
UPDATE deployments SET failed_at = finished_at WHERE succeeded_at IS NULL AND status IN ('failure', 'error', 'timed_out', 'startup_failure');
CREATE TABLE commit_reverts (
    sha VARCHAR(40) NOT NULL,
    reverted_sha VARCHAR(40) NOT NULL,
    PRIMARY KEY (sha, reverted_sha)
);
CREATE INDEX idx_commit_reverts_reverted_sha ON commit_reverts (reverted_sha);
INSERT INTO commit_reverts (sha, reverted_sha)
SELECT c.sha, m[1] FROM commits c CROSS JOIN LATERAL regexp_matches(c.message, 'This reverts commit ([0-9a-f]{40})', 'g') m
 WHERE c.message LIKE '%This reverts commit %' ON CONFLICT DO NOTHING;
CREATE TABLE incidents (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    source VARCHAR(20) NOT NULL,
    external_id VARCHAR(255) NOT NULL,
    repository_full_name VARCHAR(255) NOT NULL,
    title TEXT,
    opened_at TIMESTAMP WITH TIME ZONE NOT NULL,
    resolved_at TIMESTAMP WITH TIME ZONE,
    sha VARCHAR(40),
    deployment_external_id BIGINT,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    CONSTRAINT incidents_source_external_id_key UNIQUE (source, external_id)
);
CREATE INDEX idx_incidents_repository_opened ON incidents (repository_full_name, opened_at);
CREATE VIEW counted_deployments AS
SELECT d.* FROM deployments d
  JOIN deployment_settings s ON s.repository_full_name = d.repository_full_name
 WHERE d.is_production AND d.source = coalesce(s.source, s.chosen_source);
CREATE VIEW commit_deployments AS
SELECT DISTINCT ON (d.repository_full_name, dc.sha) d.repository_full_name, dc.sha, d.id AS deployment_id, d.succeeded_at AS deployed_at
  FROM deployment_commits dc JOIN counted_deployments d ON d.id = dc.deployment_id
 WHERE d.succeeded_at IS NOT NULL
 ORDER BY d.repository_full_name, dc.sha, d.succeeded_at, d.external_id;
CREATE VIEW delivery_incidents AS
${DELIVERY_INCIDENTS_V1};
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
DROP VIEW IF EXISTS delivery_incidents;
DROP VIEW IF EXISTS commit_deployments;
DROP VIEW IF EXISTS counted_deployments;
DROP TABLE IF EXISTS incidents;
DROP TABLE IF EXISTS commit_reverts;
ALTER TABLE deployments DROP COLUMN IF EXISTS failed_at;
`);
  }
}
