import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeLocal, listenLocal, sendJson } from './local-server.js';

/** A Jira user as the issue JSON shows it (an email only when the site shares it). */
export interface JiraStandInUser {
  accountId: string;
  displayName: string;
  emailAddress?: string;
}
/** A status and its category (`new`, `indeterminate`, `done`), as GET /rest/api/3/status lists them. */
export interface JiraStandInStatus {
  id: string;
  name: string;
  category: 'new' | 'indeterminate' | 'done';
}
export interface JiraStandInIssue {
  id: string;
  key: string;
  summary: string;
  type: string;
  status: string;
  priority: string | null;
  labels: string[];
  reporter: JiraStandInUser | null;
  assignee: JiraStandInUser | null;
  created: string;
  updated: string;
  resolutiondate: string | null;
  storyPoints?: number | null;
  /** status changes, oldest first */
  transitions: { at: string; from: string; to: string }[];
}

/**
 * Jira Cloud's REST v3 on 127.0.0.1, as Atlassian documents it: basic auth (email + API token; 401
 * otherwise), `GET /rest/api/3/myself`, `/field`, `/status`, and the JQL search
 * `GET /rest/api/3/search/jql` (`jql` with `updated >= "yyyy-MM-dd HH:mm"`, `project in ("A", …)` and
 * `ORDER BY updated ASC`, `nextPageToken` paging, `maxResults`, `fields` (`id` alone: ids only, pages
 * of up to 5,000), `expand=changelog`: the most recent `changelogEmbedded` histories, newest first,
 * with the `total`), an issue by id (`GET /rest/api/3/issue/{id}`: 404 once it is deleted) and its
 * whole changelog (`GET /rest/api/3/issue/{id}/changelog`, `startAt`/`maxResults`, oldest first).
 * `rateLimitOnce` answers the next search with 429 and Retry-After; `html` answers every request with
 * an HTML page (a wrong URL); `unlisted` holds issue ids the search does not return yet (Jira's index
 * lags behind its writes).
 */
export class JiraStandIn {
  url = '';
  readonly email = 'bot@acme.example';
  token = 'jira-token-0123456789';
  readonly issues: JiraStandInIssue[] = [];
  readonly statuses: JiraStandInStatus[] = [
    { id: '1', name: 'To Do', category: 'new' },
    { id: '3', name: 'In Progress', category: 'indeterminate' },
    { id: '4', name: 'In Review', category: 'indeterminate' },
    { id: '5', name: 'Done', category: 'done' },
  ];
  readonly requests: { path: string; query: URLSearchParams; status: number }[] = [];
  /** the story points custom field's id */
  readonly storyPointsField = 'customfield_10016';
  pageSize = 50;
  /** how many of an issue's histories a search embeds (Jira Cloud's enhanced search: 40) */
  changelogEmbedded = 40;
  readonly unlisted = new Set<string>();
  rateLimitOnce = false;
  html = false;
  /** answer every request this late (a site that hangs) */
  delayMs = 0;
  private server?: Server;

  async start(): Promise<this> {
    const { server, origin } = await listenLocal((req, res) => this.answer(req, res));
    this.server = server;
    this.url = origin;
    return this;
  }

  async stop(): Promise<void> {
    await closeLocal(this.server);
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    if (this.delayMs > 0) {
      const delay = this.delayMs;
      this.delayMs = 0;
      setTimeout(() => this.answer(req, res), delay);
      return;
    }
    const u = new URL(req.url!, this.url);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ path: u.pathname, query: u.searchParams, status });
      sendJson(res, status, body, headers);
    };
    if (this.html) {
      this.requests.push({ path: u.pathname, query: u.searchParams, status: 200 });
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body>Log in to continue</body></html>');
      return;
    }
    const expected = `Basic ${Buffer.from(`${this.email}:${this.token}`).toString('base64')}`;
    if (req.headers.authorization !== expected)
      return send(401, { errorMessages: ['You are not authenticated. Authentication required to perform this operation.'], errors: {} });
    if (u.pathname === '/rest/api/3/myself') return send(200, { accountId: 'bot', emailAddress: this.email, displayName: 'Bot', active: true });
    if (u.pathname === '/rest/api/3/field')
      return send(200, [
        { id: 'summary', name: 'Summary', custom: false },
        { id: this.storyPointsField, name: 'Story Points', custom: true },
      ]);
    if (u.pathname === '/rest/api/3/status')
      return send(
        200,
        this.statuses.map((s) => ({ id: s.id, name: s.name, statusCategory: { key: s.category, name: s.category } })),
      );
    if (u.pathname === '/rest/api/3/search/jql') {
      if (this.rateLimitOnce) {
        this.rateLimitOnce = false;
        return send(429, { errorMessages: ['Rate limit exceeded.'] }, { 'retry-after': '1' });
      }
      return this.search(u, send);
    }
    const byId = /^\/rest\/api\/3\/issue\/([^/]+)(\/changelog)?$/.exec(u.pathname);
    if (byId) {
      const issue = this.issues.find((i) => i.id === byId[1] || i.key === byId[1]);
      if (!issue) return send(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
      if (!byId[2]) return send(200, { id: issue.id, key: issue.key, fields: { updated: issue.updated } });
      const all = histories(issue);
      const startAt = Number(u.searchParams.get('startAt') ?? '0');
      const max = Math.min(Number(u.searchParams.get('maxResults') ?? '100'), 100);
      const values = all.slice(startAt, startAt + max);
      return send(200, { maxResults: max, startAt, total: all.length, isLast: startAt + values.length >= all.length, values });
    }
    return send(404, { errorMessages: ['Not found'], errors: {} });
  }

  private search(u: URL, send: (status: number, body: unknown) => void): void {
    const jql = u.searchParams.get('jql') ?? '';
    const since = /updated\s*>=\s*"(\d{4}-\d{2}-\d{2} \d{2}:\d{2})"/.exec(jql)?.[1];
    if (!wellFormed(jql)) return send(400, { errorMessages: [`Error in the JQL Query: ${jql}`], errors: {} });
    const sinceMs = since ? Date.parse(`${since.replace(' ', 'T')}:00Z`) : -Infinity;
    const projects = /project in \(([^)]*)\)/
      .exec(jql)?.[1]
      ?.split(',')
      .map((p) => p.trim().replace(/^"|"$/g, ''));
    const matched = this.issues
      .filter((i) => Date.parse(i.updated) >= sinceMs && !this.unlisted.has(i.id) && (!projects || projects.includes(i.key.replace(/-\d+$/, ''))))
      .sort((a, b) => a.updated.localeCompare(b.updated) || a.id.localeCompare(b.id));
    const idsOnly = (u.searchParams.get('fields') ?? 'id') === 'id';
    const max = Math.min(Number(u.searchParams.get('maxResults') ?? this.pageSize), idsOnly ? 5_000 : this.pageSize);
    const start = Number(u.searchParams.get('nextPageToken') ?? '0');
    const page = matched.slice(start, start + max);
    const changelog = (u.searchParams.get('expand') ?? '').split(',').includes('changelog');
    const statusOf = (name: string) => this.statuses.find((s) => s.name === name)!;
    send(200, {
      issues: page.map((i) =>
        idsOnly
          ? { id: i.id }
          : {
              id: i.id,
              key: i.key,
              fields: {
                summary: i.summary,
                issuetype: { name: i.type },
                status: { name: i.status, statusCategory: { key: statusOf(i.status).category } },
                priority: i.priority ? { name: i.priority } : null,
                labels: i.labels,
                reporter: i.reporter,
                assignee: i.assignee,
                created: i.created,
                updated: i.updated,
                resolutiondate: i.resolutiondate,
                [this.storyPointsField]: i.storyPoints ?? null,
              },
              ...(changelog
                ? {
                    changelog: {
                      startAt: 0,
                      maxResults: this.changelogEmbedded,
                      total: i.transitions.length,
                      histories: histories(i).reverse().slice(0, this.changelogEmbedded),
                    },
                  }
                : {}),
            },
      ),
      ...(start + max < matched.length ? { nextPageToken: String(start + max) } : {}),
      isLast: start + max >= matched.length,
    });
  }
}

/** An issue's changelog histories, oldest first, one status change each. */
function histories(i: JiraStandInIssue) {
  return i.transitions.map((t, k) => ({
    id: String(k + 1),
    created: t.at,
    items: [{ field: 'status', fieldtype: 'jira', fromString: t.from, toString: t.to }],
  }));
}

/** What the stand-in takes for valid JQL: balanced parentheses, no empty group, no dangling operator. */
function wellFormed(jql: string): boolean {
  let depth = 0;
  for (const ch of jql) {
    depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    if (depth < 0) return false;
  }
  return depth === 0 && !/\(\s*\)/.test(jql) && !/\b(AND|OR)\s*(\)|$)/i.test(jql);
}
