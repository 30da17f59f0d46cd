import { Migration } from '@mikro-orm/migrations';

/**
 * A pull request's lifecycle beside the contract's pull_requests (read from GraphQL with the pull
 * requests; src/github/sync/pull-lifecycle.ts):
 * - pull_request_lifecycles: whether it is a draft, when it became ready for review (its creation
 *   when it never was a draft), when it was last reopened, its merge commit and who merged it, and its
 *   last commit;
 * - pull_request_commits: its commits with their author and committer dates;
 * - pull_request_comments: its conversation comments (who, when): a first response, like a review.
 * - pull_request_phases: each pull request's clocks, t0 first commit … t5 in production, made
 *   monotonic so the phases add up to the cycle (README, "Pull-request lifecycle").
 */
export class Migration20261207020000PullLifecycle extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE pull_request_lifecycles (
    github_id BIGINT PRIMARY KEY,
    repository_full_name VARCHAR(255) NOT NULL,
    is_draft BOOLEAN NOT NULL,
    ready_at TIMESTAMP WITH TIME ZONE,
    reopened_at TIMESTAMP WITH TIME ZONE,
    merge_commit_sha VARCHAR(40),
    merged_by_github_id BIGINT,
    last_commit_sha VARCHAR(40),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);
CREATE TABLE pull_request_commits (
    pull_github_id BIGINT NOT NULL,
    sha VARCHAR(40) NOT NULL,
    authored_at TIMESTAMP WITH TIME ZONE NOT NULL,
    committed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (pull_github_id, sha)
);
CREATE TABLE pull_request_comments (
    pull_github_id BIGINT NOT NULL,
    author_github_id BIGINT NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (pull_github_id, author_github_id, created_at)
);
CREATE VIEW pull_request_phases AS
WITH moments AS (
  SELECT p.id, p.github_id, p.developer_id, l.repository_full_name, p.created_at, p.merged_at,
         (SELECT min(c.authored_at) FROM pull_request_commits c WHERE c.pull_github_id = p.github_id) AS first_commit_at,
         l.ready_at,
         (SELECT min(x.at) FROM (
            SELECT r.submitted_at AS at FROM counted_code_reviews r
             WHERE r.pull_request_id = p.id AND r.reviewer_id IS DISTINCT FROM p.developer_id AND r.submitted_at IS NOT NULL
            UNION ALL
            SELECT cm.created_at FROM pull_request_comments cm JOIN developers d ON d.github_id = cm.author_github_id
             WHERE cm.pull_github_id = p.github_id AND d.id IS DISTINCT FROM p.developer_id
               AND NOT EXISTS (SELECT 1 FROM developer_bots b WHERE b.developer_id = d.id)) x
           WHERE x.at >= l.ready_at) AS first_response_at,
         (SELECT min(r.submitted_at) FROM counted_code_reviews r
           WHERE r.pull_request_id = p.id AND r.reviewer_id IS DISTINCT FROM p.developer_id AND r.state = 'approved' AND r.submitted_at >= l.ready_at) AS first_approval_at,
         (SELECT min(cd.deployed_at) FROM commit_deployments cd
           WHERE cd.repository_full_name = l.repository_full_name AND cd.sha IN (l.merge_commit_sha, l.last_commit_sha) AND cd.deployed_at >= p.merged_at) AS deployed_at
    FROM counted_pull_requests p JOIN pull_request_lifecycles l ON l.github_id = p.github_id
),
t01 AS (
  SELECT m.*, coalesce(m.first_commit_at, m.created_at) AS t0,
         CASE WHEN m.ready_at IS NULL THEN NULL ELSE greatest(coalesce(m.first_commit_at, m.created_at), m.ready_at) END AS t1
    FROM moments m
),
t2 AS (
  SELECT t.*, CASE WHEN t.t1 IS NULL OR (t.first_response_at IS NULL AND t.merged_at IS NULL) THEN NULL
                   ELSE greatest(t.t1, least(t.first_response_at, t.merged_at)) END AS t2
    FROM t01 t
),
t3 AS (
  SELECT t.*, CASE WHEN t.t2 IS NULL OR (t.first_approval_at IS NULL AND t.merged_at IS NULL) THEN NULL
                   ELSE greatest(t.t2, least(t.first_approval_at, t.merged_at)) END AS t3
    FROM t2 t
)
SELECT t.*,
       CASE WHEN t.merged_at IS NULL OR t.t3 IS NULL THEN NULL ELSE greatest(t.t3, t.merged_at) END AS t4,
       CASE WHEN t.merged_at IS NULL OR t.t3 IS NULL OR t.deployed_at IS NULL THEN NULL ELSE greatest(t.t3, t.merged_at, t.deployed_at) END AS t5
  FROM t3 t;
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
DROP VIEW IF EXISTS pull_request_phases;
DROP TABLE IF EXISTS pull_request_comments;
DROP TABLE IF EXISTS pull_request_commits;
DROP TABLE IF EXISTS pull_request_lifecycles;
`);
  }
}
