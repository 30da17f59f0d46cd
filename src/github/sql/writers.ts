import type { EntityManager } from '@mikro-orm/postgresql';
import type { CommitFile } from '../../entities/commit.js';
import { pgArray, sql } from '../../db/sql.js';
import type { PoolClient } from 'pg';
import { arrayLiteral, copyLines, copyLine, copyText, loadTable, transactionClient, underSavepoint, type LoadColumn } from '../../db/copy-load.js';

/**
 * The sync's write path: one set-based statement per batch and table (commits and their graph rows
 * written with COPY, straight into their tables or, when some are stored already, through a
 * temporary table; the smaller batches shipped as a single JSONB parameter and expanded with
 * jsonb_to_recordset), never a flush per row. Every statement is an
 * idempotent upsert on the natural key, and an update only happens when a value really changed,
 * so re-delivering a job or re-reading an unchanged page writes nothing.
 */

export interface CommitRow {
  sha: string;
  author_github_id: number | null;
  repository_name: string;
  repository_full_name: string;
  message: string | null;
  additions: number;
  deletions: number;
  files_changed: number;
  files: CommitFile[];
  languages: Record<string, number>;
  committed_at: string;
  /** commit_graph: parents (a merge has two or more), git author and committer. */
  parent_shas: string[];
  author_name: string | null;
  author_email: string | null;
  committer_email: string | null;
  committer_date: string | null;
  coauthors: { name: string; email: string }[];
}

export interface PullRow {
  github_id: number;
  number: number;
  author_github_id: number | null;
  repository_name: string;
  /** "owner/name": kept in github_pull_repositories, not in the contract's pull_requests. */
  repository_full_name: string;
  title: string | null;
  body: string | null;
  state: 'open' | 'closed' | 'merged';
  additions: number;
  deletions: number;
  changed_files: number;
  commits_count: number;
  comments_count: number;
  review_comments_count: number;
  created_at: string;
  updated_at: string;
  merged_at: string | null;
  closed_at: string | null;
  labels: string[];
  reviewers: string[];
}

export interface ReviewRow {
  github_id: number;
  pull_github_id: number;
  reviewer_github_id: number | null;
  state: string;
  body: string | null;
  submitted_at: string | null;
}

export type Exec = EntityManager;

/** Shas (of those given) already stored. */
export async function knownShas(em: Exec, shas: string[]): Promise<Set<string>> {
  if (shas.length === 0) return new Set();
  const rows = await sql<{ sha: string }>(em, `SELECT sha FROM commits WHERE sha = ANY(?::varchar[])`, [pgArray(shas)]);
  return new Set(rows.map((r) => r.sha));
}

/**
 * Commit rows in COPY's text format, all but what needs the database (each commit's developer):
 * made ahead, while the chunk before is written. `commits[i]`: row i's columns after developer_id.
 */
export interface CommitCopy {
  commits: string[];
  graph: string;
}

/** The COPY text of `rows` (CommitCopy). */
export function commitCopy(rows: readonly CommitRow[]): CommitCopy {
  let graph = '';
  const commits = rows.map((r) => {
    graph += copyLine([r.sha, arrayLiteral(r.parent_shas), r.parent_shas.length > 1, r.author_name, r.author_email, r.committer_email, r.committer_date]);
    return copyLine(commitValues(r));
  });
  return { commits, graph };
}

/** What upsertCommits needs of a commit besides its COPY text. */
export type CommitKey = Pick<CommitRow, 'sha' | 'message'> & { developer_id: string | null };

/**
 * Insert commits with their developer (GitHub's author, else the developer their email resolves
 * to), and their commit_graph rows; a commit is immutable, so a known sha is left alone, except that
 * a commit stored without an author gets attributed once one is known. `copy`: the rows' COPY text
 * (commitCopy), when made ahead; then `rows` need only their sha, message and developer. Returns the
 * rows inserted or attributed, with their developer.
 */
export async function upsertCommits(em: Exec, rows: (CommitRow & { developer_id: string | null })[]): Promise<{ sha: string; developer_id: string | null }[]>;
export async function upsertCommits(em: Exec, rows: CommitKey[], copy: CommitCopy): Promise<{ sha: string; developer_id: string | null }[]>;
export async function upsertCommits(
  em: Exec,
  rows: CommitKey[] | (CommitRow & { developer_id: string | null })[],
  made?: CommitCopy,
): Promise<{ sha: string; developer_id: string | null }[]> {
  if (rows.length === 0) return [];
  // Without the text made ahead, the rows are whole (the first signature).
  const copy = made ?? commitCopy(rows as CommitRow[]);
  if (copy.commits.length !== rows.length) throw new Error(`the COPY text made ahead has ${copy.commits.length} commits, not ${rows.length}`);
  const client = await transactionClient(em);
  const lines = rows.map((r, i) => `${copyText(r.sha)}\t${copyText(r.developer_id)}\t${copy.commits[i]}`);
  // New commits (what a sync writes, having left out the shas it knows) go straight in with COPY;
  // if any is stored already (another repository's fork, a re-delivered chunk), that COPY is rolled
  // back and the chunk upserted through load tables instead.
  const conflict = await underSavepoint(client, async () => {
    await copyLines(client, 'commits', COMMIT_COLUMNS, lines);
    await copyLines(client, 'commit_graph', GRAPH_COLUMNS, [copy.graph]);
  });
  if (conflict !== undefined && (conflict as { code?: string }).code !== UNIQUE_VIOLATION) throw conflict;
  const result = conflict === undefined ? rows.map((r) => ({ sha: r.sha, developer_id: r.developer_id })) : await upsertLoaded(client, lines, copy.graph);
  if (rows.some((r) => REVERTS.test(r.message ?? ''))) {
    await sql(
      em,
      `INSERT INTO commit_reverts (sha, reverted_sha)
       SELECT r.sha, m[1] FROM jsonb_to_recordset(?::jsonb) AS r(sha text, message text)
              CROSS JOIN LATERAL regexp_matches(r.message, 'This reverts commit ([0-9a-f]{40})', 'g') m
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(rows.filter((r) => REVERTS.test(r.message ?? '')).map((r) => ({ sha: r.sha, message: r.message })))],
    );
  }
  return result;
}

const UNIQUE_VIOLATION = '23505';

/** A commit's values for COMMIT_COLUMNS after sha and developer_id, in their order. */
function commitValues(r: CommitRow): unknown[] {
  return [r.repository_name, r.repository_full_name, r.message, r.additions, r.deletions, r.files_changed, r.files, r.languages, r.committed_at];
}

/**
 * The chunk through load tables (the same COPY text, into temporary tables shaped as commits and
 * commit_graph): commits inserted, or attributed when stored without a developer; graph rows
 * inserted where missing. Returns the commits inserted or attributed.
 */
async function upsertLoaded(client: PoolClient, commitLines: string[], graph: string): Promise<{ sha: string; developer_id: string | null }[]> {
  await loadTable(client, 'commit_load', COMMIT_LOAD);
  await copyLines(client, 'commit_load', COMMIT_COLUMNS, commitLines);
  await loadTable(client, 'graph_load', GRAPH_LOAD);
  await copyLines(client, 'graph_load', GRAPH_COLUMNS, [graph]);
  const result = await sql<{ sha: string; developer_id: string | null }>(
    client,
    `INSERT INTO commits (${COMMIT_COLUMNS.join(', ')})
     SELECT ${COMMIT_COLUMNS.join(', ')} FROM commit_load
     ON CONFLICT (sha) DO UPDATE SET developer_id = EXCLUDED.developer_id
      WHERE commits.developer_id IS NULL AND EXCLUDED.developer_id IS NOT NULL
     RETURNING sha, developer_id`,
  );
  await sql(
    client,
    `INSERT INTO commit_graph (${GRAPH_COLUMNS.join(', ')})
     SELECT ${GRAPH_COLUMNS.join(', ')} FROM graph_load
     ON CONFLICT (sha) DO NOTHING`,
  );
  return result;
}

/**
 * The columns of commits and of commit_graph in the COPY text's order (commitCopy, upsertCommits),
 * with their types for the load tables of a chunk holding stored commits (upsertLoaded).
 */
const COMMIT_LOAD: LoadColumn[] = [
  ['sha', 'text'],
  ['developer_id', 'uuid'],
  ['repository_name', 'text'],
  ['repository_full_name', 'text'],
  ['message', 'text'],
  ['additions', 'int'],
  ['deletions', 'int'],
  ['files_changed', 'int'],
  ['files', 'jsonb'],
  ['languages', 'jsonb'],
  ['committed_at', 'timestamptz'],
];
const GRAPH_LOAD: LoadColumn[] = [
  ['sha', 'text'],
  ['parent_shas', 'text[]'],
  ['is_merge', 'boolean'],
  ['author_name', 'text'],
  ['author_email', 'text'],
  ['committer_email', 'text'],
  ['committer_date', 'timestamptz'],
];
const COMMIT_COLUMNS = COMMIT_LOAD.map(([name]) => name);
const GRAPH_COLUMNS = GRAPH_LOAD.map(([name]) => name);

/** git revert's own line naming the commit reverted (commit_reverts; the incidents read it). */
const REVERTS = /This reverts commit [0-9a-f]{40}/;

/** Co-author credits of commits (`Co-authored-by:`), with the developer each email resolves to. */
export async function insertCoauthors(em: Exec, coauthors: { sha: string; email: string; name: string; developer_id: string | null }[]): Promise<void> {
  if (coauthors.length === 0) return;
  await sql(
    em,
    `INSERT INTO commit_coauthors (sha, email, name, developer_id)
     SELECT a.sha, a.email, a.name, a.developer_id FROM jsonb_to_recordset(?::jsonb) AS a(sha text, email text, name text, developer_id uuid)
     ON CONFLICT (sha, email) DO NOTHING`,
    [JSON.stringify(coauthors)],
  );
}

/**
 * Remove commits that are no longer on the repository's default branch (a force-push, a changed
 * default branch), with their graph and co-author rows. Returns the developers who lost work.
 */
export async function deleteCommits(em: Exec, repoFullName: string, shas: string[]): Promise<{ deleted: number; developerIds: string[] }> {
  if (shas.length === 0) return { deleted: 0, developerIds: [] };
  const gone = await sql<{ sha: string; developer_id: string | null }>(
    em,
    `DELETE FROM commits WHERE sha = ANY(?::varchar[]) AND repository_full_name = ? RETURNING sha, developer_id`,
    [pgArray(shas), repoFullName],
  );
  const goneShas = pgArray(gone.map((g) => g.sha));
  await sql(em, `DELETE FROM commit_graph WHERE sha = ANY(?::varchar[])`, [goneShas]);
  const coauthors = await sql<{ developer_id: string | null }>(em, `DELETE FROM commit_coauthors WHERE sha = ANY(?::varchar[]) RETURNING developer_id`, [
    goneShas,
  ]);
  const developerIds = [...new Set([...gone, ...coauthors].flatMap((r) => (r.developer_id ? [r.developer_id] : [])))];
  return { deleted: gone.length, developerIds };
}

/** Upsert pull requests by GitHub id, touching a row only when something changed. Returns github_id → id. */
export async function upsertPulls(em: Exec, pulls: PullRow[], developers: Map<number, string>): Promise<{ ids: Map<number, string>; written: number }> {
  if (pulls.length === 0) return { ids: new Map(), written: 0 };
  const rows = [...new Map(pulls.map((p) => [p.github_id, p])).values()].map((p) => ({
    ...p,
    developer_id: p.author_github_id === null ? null : (developers.get(p.author_github_id) ?? null),
    labels: JSON.stringify(p.labels),
    reviewers: JSON.stringify(p.reviewers),
  }));
  // One JSON document for both statements: each reads only the columns it names.
  const rowsJson = JSON.stringify(rows);
  const written = await sql<{ id: string }>(
    em,
    `INSERT INTO pull_requests (github_id, number, developer_id, repository_name, title, body, state, additions, deletions,
                                changed_files, commits_count, comments_count, review_comments_count, created_at, updated_at,
                                merged_at, closed_at, labels, reviewers)
     SELECT r.github_id, r.number, r.developer_id, r.repository_name, r.title, r.body, r.state, r.additions, r.deletions,
            r.changed_files, r.commits_count, r.comments_count, r.review_comments_count, r.created_at, r.updated_at,
            r.merged_at, r.closed_at, r.labels::jsonb, r.reviewers::jsonb
       FROM jsonb_to_recordset(?::jsonb) AS r(github_id bigint, number int, developer_id uuid, repository_name text, title text,
            body text, state text, additions int, deletions int, changed_files int, commits_count int, comments_count int,
            review_comments_count int, created_at timestamptz, updated_at timestamptz, merged_at timestamptz,
            closed_at timestamptz, labels text, reviewers text)
     ON CONFLICT (github_id) DO UPDATE SET
            number = EXCLUDED.number, developer_id = COALESCE(EXCLUDED.developer_id, pull_requests.developer_id),
            repository_name = EXCLUDED.repository_name, title = EXCLUDED.title, body = EXCLUDED.body, state = EXCLUDED.state,
            additions = EXCLUDED.additions, deletions = EXCLUDED.deletions, changed_files = EXCLUDED.changed_files,
            commits_count = EXCLUDED.commits_count, comments_count = EXCLUDED.comments_count,
            review_comments_count = EXCLUDED.review_comments_count, created_at = EXCLUDED.created_at,
            updated_at = EXCLUDED.updated_at, merged_at = EXCLUDED.merged_at, closed_at = EXCLUDED.closed_at,
            labels = EXCLUDED.labels, reviewers = EXCLUDED.reviewers
      WHERE (pull_requests.updated_at, pull_requests.state, pull_requests.additions, pull_requests.deletions,
             pull_requests.changed_files, pull_requests.commits_count, pull_requests.comments_count,
             pull_requests.review_comments_count, pull_requests.reviewers, pull_requests.title, pull_requests.labels)
            IS DISTINCT FROM
            (EXCLUDED.updated_at, EXCLUDED.state, EXCLUDED.additions, EXCLUDED.deletions, EXCLUDED.changed_files,
             EXCLUDED.commits_count, EXCLUDED.comments_count, EXCLUDED.review_comments_count, EXCLUDED.reviewers,
             EXCLUDED.title, EXCLUDED.labels)
     RETURNING id`,
    [rowsJson],
  );
  await sql(
    em,
    `INSERT INTO github_pull_repositories (github_id, repository_full_name)
     SELECT r.github_id, r.repository_full_name FROM jsonb_to_recordset(?::jsonb) AS r(github_id bigint, repository_full_name text)
     ON CONFLICT (github_id) DO UPDATE SET repository_full_name = EXCLUDED.repository_full_name
      WHERE github_pull_repositories.repository_full_name IS DISTINCT FROM EXCLUDED.repository_full_name`,
    [rowsJson],
  );
  const ids = await sql<{ id: string; github_id: string }>(em, `SELECT id, github_id FROM pull_requests WHERE github_id = ANY(?::bigint[])`, [
    pgArray(rows.map((r) => r.github_id)),
  ]);
  return { ids: new Map(ids.map((r) => [Number(r.github_id), r.id])), written: written.length };
}

/** Upsert reviews by GitHub id; returns rows inserted or changed. */
export async function upsertReviews(em: Exec, reviews: ReviewRow[], developers: Map<number, string>, pulls: Map<number, string>): Promise<number> {
  if (reviews.length === 0) return 0;
  const rows = [...new Map(reviews.map((r) => [r.github_id, r])).values()].map((r) => ({
    ...r,
    pull_request_id: pulls.get(r.pull_github_id) ?? null,
    reviewer_id: r.reviewer_github_id === null ? null : (developers.get(r.reviewer_github_id) ?? null),
  }));
  const result = await sql<{ id: string }>(
    em,
    `INSERT INTO code_reviews (github_id, pull_request_id, reviewer_id, state, body, submitted_at)
     SELECT r.github_id, r.pull_request_id, r.reviewer_id, r.state, r.body, r.submitted_at
       FROM jsonb_to_recordset(?::jsonb) AS r(github_id bigint, pull_request_id uuid, reviewer_id uuid, state text, body text,
            submitted_at timestamptz)
     ON CONFLICT (github_id) DO UPDATE SET state = EXCLUDED.state, body = EXCLUDED.body, submitted_at = EXCLUDED.submitted_at,
            reviewer_id = COALESCE(EXCLUDED.reviewer_id, code_reviews.reviewer_id)
      WHERE (code_reviews.state, code_reviews.body, code_reviews.submitted_at) IS DISTINCT FROM (EXCLUDED.state, EXCLUDED.body, EXCLUDED.submitted_at)
     RETURNING id`,
    [JSON.stringify(rows)],
  );
  return result.length;
}
