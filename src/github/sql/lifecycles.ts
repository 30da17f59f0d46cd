import { pgArray, sql } from '../../db/sql.js';
import type { PullLifecycle } from '../sync/pull-lifecycle.js';
import type { Exec } from './writers.js';

/**
 * Pull requests' lifecycles, replacing what was stored of them: the lifecycle row (touched only when
 * it changed), and their commits and conversation comments as the timeline now shows them.
 */
export async function upsertLifecycles(em: Exec, repo: string, pulls: { github_id: number; lifecycle: PullLifecycle }[]): Promise<void> {
  if (pulls.length === 0) return;
  const rows = pulls.map(({ github_id, lifecycle: l }) => ({
    github_id,
    repository_full_name: repo,
    is_draft: l.is_draft,
    ready_at: l.ready_at,
    reopened_at: l.reopened_at,
    merge_commit_sha: l.merge_commit_sha,
    merged_by_github_id: l.merged_by_github_id,
    last_commit_sha: l.last_commit_sha,
    head_ref: l.head_ref,
  }));
  await sql(
    em,
    `INSERT INTO pull_request_lifecycles (github_id, repository_full_name, is_draft, ready_at, reopened_at, merge_commit_sha, merged_by_github_id, last_commit_sha, head_ref)
     SELECT r.github_id, r.repository_full_name, r.is_draft, r.ready_at, r.reopened_at, r.merge_commit_sha, r.merged_by_github_id, r.last_commit_sha, r.head_ref
       FROM jsonb_to_recordset(?::jsonb) AS r(github_id bigint, repository_full_name text, is_draft boolean, ready_at timestamptz, reopened_at timestamptz,
            merge_commit_sha text, merged_by_github_id bigint, last_commit_sha text, head_ref text)
     ON CONFLICT (github_id) DO UPDATE SET repository_full_name = EXCLUDED.repository_full_name, is_draft = EXCLUDED.is_draft, ready_at = EXCLUDED.ready_at,
            reopened_at = EXCLUDED.reopened_at, merge_commit_sha = EXCLUDED.merge_commit_sha, merged_by_github_id = EXCLUDED.merged_by_github_id,
            last_commit_sha = EXCLUDED.last_commit_sha, head_ref = EXCLUDED.head_ref, updated_at = now()
      WHERE (pull_request_lifecycles.repository_full_name, pull_request_lifecycles.is_draft, pull_request_lifecycles.ready_at, pull_request_lifecycles.reopened_at,
             pull_request_lifecycles.merge_commit_sha, pull_request_lifecycles.merged_by_github_id, pull_request_lifecycles.last_commit_sha, pull_request_lifecycles.head_ref)
            IS DISTINCT FROM (EXCLUDED.repository_full_name, EXCLUDED.is_draft, EXCLUDED.ready_at, EXCLUDED.reopened_at,
             EXCLUDED.merge_commit_sha, EXCLUDED.merged_by_github_id, EXCLUDED.last_commit_sha, EXCLUDED.head_ref)`,
    [JSON.stringify(rows)],
  );
  const ids = pgArray(pulls.map((p) => String(p.github_id)));
  await sql(em, `DELETE FROM pull_request_commits WHERE pull_github_id = ANY(?::bigint[])`, [ids]);
  await sql(em, `DELETE FROM pull_request_comments WHERE pull_github_id = ANY(?::bigint[])`, [ids]);
  const commits = pulls.flatMap(({ github_id, lifecycle }) => lifecycle.commits.map((c) => ({ pull_github_id: github_id, ...c })));
  if (commits.length)
    await sql(
      em,
      `INSERT INTO pull_request_commits (pull_github_id, sha, authored_at, committed_at)
       SELECT r.pull_github_id, r.sha, r.authored_at, r.committed_at
         FROM jsonb_to_recordset(?::jsonb) AS r(pull_github_id bigint, sha text, authored_at timestamptz, committed_at timestamptz)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(commits)],
    );
  const comments = pulls.flatMap(({ github_id, lifecycle }) =>
    lifecycle.comments.map((c) => ({ pull_github_id: github_id, author_github_id: c.author.id, created_at: c.created_at })),
  );
  if (comments.length)
    await sql(
      em,
      `INSERT INTO pull_request_comments (pull_github_id, author_github_id, created_at)
       SELECT r.pull_github_id, r.author_github_id, r.created_at FROM jsonb_to_recordset(?::jsonb) AS r(pull_github_id bigint, author_github_id bigint, created_at timestamptz)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(comments)],
    );
}
