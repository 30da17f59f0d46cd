import { sql } from '../../db/sql.js';
import type { Exec } from './writers.js';

/** An issue as the sync writes it (issues), with its status history (issue_transitions). */
export interface IssueRow {
  source: 'github' | 'jira';
  external_id: string;
  issue_key: string;
  repository_full_name: string | null;
  project_key: string | null;
  author_github_id: number | null;
  assignee_github_ids: number[];
  /** Jira: its people resolved by email, and its organization */
  developer_id?: string | null;
  assignee_ids?: string[];
  organization_id?: string | null;
  title: string | null;
  state: string;
  state_reason: string | null;
  issue_type: string | null;
  labels: string[];
  priority: string | null;
  story_points: number | null;
  created_at: string;
  started_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  updated_at: string;
  transitions: { at: string; to_status: string; from_status: string | null; status_category: string }[];
}

/** Of these issues of a source, the `updated_at` stored (by external id): what has not changed since is not written again. */
export async function storedIssueUpdates(em: Exec, source: string, ids: string[]): Promise<Map<string, number>> {
  const rows = await sql<{ external_id: string; updated_at: Date | string }>(
    em,
    `SELECT external_id, updated_at FROM issues WHERE source = ? AND external_id = ANY(?::text[])`,
    [source, ids],
  );
  return new Map(rows.map((r) => [r.external_id, new Date(r.updated_at).getTime()]));
}

/**
 * Insert or update issues by (source, id), their authors and assignees as the developers given (by
 * GitHub id), and replace each one's status history. Returns the rows written.
 */
export async function upsertIssues(em: Exec, rows: IssueRow[], developers: Map<number, string>): Promise<number> {
  if (rows.length === 0) return 0;
  const payload = rows.map(({ transitions: _t, author_github_id, assignee_github_ids, developer_id, assignee_ids, organization_id, ...r }) => ({
    ...r,
    organization_id: organization_id ?? null,
    developer_id: developer_id !== undefined ? developer_id : author_github_id === null ? null : (developers.get(author_github_id) ?? null),
    assignee_ids: assignee_ids ?? assignee_github_ids.flatMap((id) => (developers.has(id) ? [developers.get(id)!] : [])),
  }));
  const written = await sql<{ id: string; source: string; external_id: string }>(
    em,
    `INSERT INTO issues (source, external_id, issue_key, repository_full_name, project_key, organization_id, developer_id, assignee_ids, title, state, state_reason, issue_type,
                         labels, priority, story_points, created_at, started_at, resolved_at, closed_at, updated_at)
     SELECT r.source, r.external_id, r.issue_key, r.repository_full_name, r.project_key, r.organization_id, r.developer_id, ARRAY(SELECT jsonb_array_elements_text(r.assignee_ids))::uuid[],
            r.title, r.state, r.state_reason, r.issue_type, r.labels, r.priority, r.story_points, r.created_at, r.started_at, r.resolved_at, r.closed_at, r.updated_at
       FROM jsonb_to_recordset(?::jsonb) AS r(source text, external_id text, issue_key text, repository_full_name text, project_key text, organization_id uuid, developer_id uuid,
            assignee_ids jsonb, title text, state text, state_reason text, issue_type text, labels jsonb, priority text, story_points numeric,
            created_at timestamptz, started_at timestamptz, resolved_at timestamptz, closed_at timestamptz, updated_at timestamptz)
     ON CONFLICT (source, external_id) DO UPDATE SET issue_key = EXCLUDED.issue_key, repository_full_name = EXCLUDED.repository_full_name,
            project_key = EXCLUDED.project_key, organization_id = EXCLUDED.organization_id, developer_id = EXCLUDED.developer_id, assignee_ids = EXCLUDED.assignee_ids, title = EXCLUDED.title,
            state = EXCLUDED.state, state_reason = EXCLUDED.state_reason, issue_type = EXCLUDED.issue_type, labels = EXCLUDED.labels,
            priority = EXCLUDED.priority, story_points = EXCLUDED.story_points, created_at = EXCLUDED.created_at, started_at = EXCLUDED.started_at,
            resolved_at = EXCLUDED.resolved_at, closed_at = EXCLUDED.closed_at, updated_at = EXCLUDED.updated_at, synced_at = now()
     RETURNING id, source, external_id`,
    [JSON.stringify(payload)],
  );
  const idOf = new Map(written.map((w) => [`${w.source}:${w.external_id}`, w.id]));
  const ids = [...idOf.values()];
  await sql(em, `DELETE FROM issue_transitions WHERE issue_id = ANY(?::uuid[])`, [ids]);
  const transitions = rows.flatMap((r) => r.transitions.map((t) => ({ issue_id: idOf.get(`${r.source}:${r.external_id}`), ...t })));
  if (transitions.length)
    await sql(
      em,
      `INSERT INTO issue_transitions (issue_id, at, to_status, from_status, status_category)
       SELECT r.issue_id, r.at, r.to_status, r.from_status, r.status_category
         FROM jsonb_to_recordset(?::jsonb) AS r(issue_id uuid, at timestamptz, to_status text, from_status text, status_category text)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(transitions)],
    );
  return written.length;
}

/** A reference to an issue as stored (issue_references). */
export interface ReferenceRow {
  target: string;
  ref_repository: string | null;
  ref_number: number | null;
  jira_key: string | null;
  closing: boolean;
  found_in: 'link' | 'title' | 'branch' | 'body' | 'message';
}

/**
 * The references of these sources (pull requests by GitHub id, or commits by sha), replacing what was
 * stored of them (a pull request's text can change; a commit's cannot, so its are only added).
 */
export async function writeReferences(em: Exec, kind: 'pull' | 'commit', sources: { source_id: string; refs: ReferenceRow[] }[]): Promise<void> {
  if (sources.length === 0) return;
  if (kind === 'pull')
    await sql(em, `DELETE FROM issue_references WHERE source_kind = 'pull' AND source_id = ANY(?::text[])`, [sources.map((x) => x.source_id)]);
  const rows = sources.flatMap((x) => x.refs.map((r) => ({ source_id: x.source_id, ...r })));
  if (rows.length === 0) return;
  await sql(
    em,
    `INSERT INTO issue_references (source_kind, source_id, target, ref_repository, ref_number, jira_key, closing, found_in)
     SELECT ?, r.source_id, r.target, r.ref_repository, r.ref_number, r.jira_key, r.closing, r.found_in
       FROM jsonb_to_recordset(?::jsonb) AS r(source_id text, target text, ref_repository text, ref_number int, jira_key text, closing boolean, found_in text)
     ON CONFLICT DO NOTHING`,
    [kind, JSON.stringify(rows)],
  );
}
