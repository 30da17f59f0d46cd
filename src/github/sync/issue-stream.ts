import { graphqlNodes } from '../api/graphql.js';
import { ghIssue, parseGitHub, type GhIssue } from '../api/schemas.js';
import { storableText } from '../../lib/text.js';
import { developerRow } from './map.js';
import { upsertDevelopers } from '../../people/index.js';
import { advanceCursor, readCursor } from '../sql/cursors.js';
import { storedIssueUpdates, upsertIssues, type IssueRow } from '../sql/issues.js';
import { splitRepo } from './fetch.js';
import { initialWindowStart, type StreamResult, type SyncOptions } from './stream-options.js';

/** An issue's closed and reopened events, for 100 issues a request by the node ids REST gives. */
const HISTORY = `query($ids: [ID!]!) {
  rateLimit { cost remaining resetAt }
  nodes(ids: $ids) { ... on Issue { databaseId timelineItems(first: 100, itemTypes: [CLOSED_EVENT, REOPENED_EVENT]) { totalCount nodes { __typename ... on ClosedEvent { createdAt } ... on ReopenedEvent { createdAt } } } } }
}`;
type Transition = IssueRow['transitions'][number];
interface GqlIssue {
  databaseId: number | null;
  timelineItems: { totalCount: number; nodes: { __typename: string; createdAt?: string }[] };
}

export interface IssuesResult extends StreamResult {
  /** Issues listed that are pull requests (GitHub lists both): left out. */
  pullRequests: number;
}

/**
 * A repository's GitHub issues (pull requests left out), updated since the stream's cursor minus the
 * overlap (a first sync: GITHUB_SYNC_INITIAL_DAYS, or all): `GET …/issues?state=all&sort=updated`
 * newest first, read back to there; its ETag makes a re-run with nothing new a free 304. An issue whose `updated_at` is what we store
 * is not written again; the others are written with their authors and assignees as developers, and
 * their status history (closed and reopened events, 100 issues per GraphQL request; with
 * GITHUB_PULLS_FROM=rest, where GraphQL may not be available, only the closing GitHub reports). An
 * issue is resolved when closed as completed (`state_reason`), not when closed as not planned.
 */
export async function syncIssues(opts: SyncOptions): Promise<IssuesResult> {
  const { owner, repo } = splitRepo(opts.repo);
  const cursor = await readCursor(opts.em, opts.repo, 'issues');
  const since = cursor ? new Date(cursor.getTime() - opts.overlapMinutes * 60_000) : initialWindowStart(opts);
  const listed: GhIssue[] = [];
  let pullRequests = 0;
  // Newest update first, read back to where the last run stopped (no `since` in the URL: the same
  // URL each run, so its ETag makes an unchanged first page a free 304).
  const pages = opts.octokit.paginate.iterator('GET /repos/{owner}/{repo}/issues', {
    owner,
    repo,
    state: 'all',
    sort: 'updated',
    direction: 'desc',
    per_page: 100,
  });
  read: for await (const page of pages) {
    opts.signal?.throwIfAborted();
    for (const raw of page.data as unknown[]) {
      const issue = parseGitHub(ghIssue, raw, `issues of ${opts.repo}`);
      if (since && new Date(issue.updated_at) < since) break read;
      if (issue.pull_request !== undefined) pullRequests += 1;
      else listed.push(issue);
    }
  }
  const stored = await storedIssueUpdates(
    opts.em,
    'github',
    listed.map((i) => String(i.id)),
  );
  const changed = listed.filter((i) => stored.get(String(i.id)) !== new Date(i.updated_at).getTime());
  const history = await historyOf(opts, changed);
  const rows = changed.map((i) => issueRow(opts.repo, i, history.get(i.id) ?? closingOnly(i)));
  const users = changed.flatMap((i) => [...(i.user ? [i.user] : []), ...(i.assignees ?? [])]).map(developerRow);
  const written = await opts.em.transactional(async (tx) => upsertIssues(tx, rows, await upsertDevelopers(tx, users)));
  const newest = listed.reduce<Date | null>((n, i) => (!n || new Date(i.updated_at) > n ? new Date(i.updated_at) : n), null);
  const cursorMoved = newest ? await advanceCursor(opts.em, opts.repo, 'issues', newest) : false;
  opts.log.info({ repo: opts.repo, listed: listed.length, written, pullRequests }, 'issues synced');
  return { fetched: listed.length, written, cursorMoved, pullRequests };
}

/** Each changed issue's closed and reopened events, oldest first (none asked with GITHUB_PULLS_FROM=rest). */
async function historyOf(opts: SyncOptions, issues: GhIssue[]): Promise<Map<number, Transition[]>> {
  const out = new Map<number, Transition[]>();
  if (opts.pullsFrom === 'rest') return out;
  const nodes = await graphqlNodes<GqlIssue>(opts.octokit, HISTORY, issues, { what: `the history of ${opts.repo}'s issues`, signal: opts.signal });
  for (const [id, node] of nodes) {
    if (node.timelineItems.totalCount > node.timelineItems.nodes.length) continue;
    const events = node.timelineItems.nodes
      .filter((e) => e.createdAt)
      .map((e) => ({ at: e.createdAt!, closed: e.__typename === 'ClosedEvent' }))
      .sort((a, b) => a.at.localeCompare(b.at));
    out.set(
      id,
      events.map((e, j) => ({
        at: e.at,
        to_status: e.closed ? 'closed' : 'open',
        from_status: j === 0 ? 'open' : events[j - 1]!.closed ? 'closed' : 'open',
        status_category: e.closed ? 'done' : 'new',
      })),
    );
  }
  return out;
}

/** Without its events: the one closing GitHub reports, if closed. */
const closingOnly = (i: GhIssue): Transition[] =>
  i.state === 'closed' && i.closed_at ? [{ at: i.closed_at, to_status: 'closed', from_status: 'open', status_category: 'done' }] : [];

function issueRow(repo: string, i: GhIssue, transitions: Transition[]): IssueRow {
  const closedAt = i.state === 'closed' ? (i.closed_at ?? null) : null;
  return {
    source: 'github',
    external_id: String(i.id),
    issue_key: String(i.number),
    repository_full_name: repo,
    project_key: null,
    author_github_id: i.user?.id ?? null,
    assignee_github_ids: (i.assignees ?? []).map((a) => a.id),
    title: i.title ? storableText(i.title, 10_000) : null,
    state: i.state,
    state_reason: i.state_reason ?? null,
    issue_type: null,
    labels: (i.labels ?? []).map((l) => storableText(typeof l === 'string' ? l : l.name, 255)),
    priority: null,
    story_points: null,
    created_at: i.created_at,
    started_at: null,
    // Closed as completed (or closed before GitHub recorded reasons): resolved; as not planned or a duplicate: not.
    resolved_at: closedAt && (i.state_reason ?? 'completed') === 'completed' ? closedAt : null,
    closed_at: closedAt,
    updated_at: i.updated_at,
    transitions,
  };
}
