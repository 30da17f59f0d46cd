import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/index.js';
import { KeyRing } from '../crypto/secrets.js';
import { PermanentError } from '../errors/index.js';
import { storedIssueUpdates, upsertIssues, type IssueRow } from '../github/sql/index.js';
import { storableText } from '../lib/text.js';
import { normaliseEmail, resolveEmails } from '../people/index.js';
import { jiraGet, type JiraSiteAccess } from './client.js';
import { reconcileJira } from './reconcile.js';
import { jiraExternalId, jiraSite, recordJiraSync, type JiraSiteRow } from './queries.js';

interface JiraUser {
  accountId?: string;
  emailAddress?: string | null;
}
interface JiraHistory {
  created: string;
  items?: { field?: string; fromString?: string | null; toString?: string | null }[];
}
interface JiraIssue {
  id: string;
  key: string;
  fields: Record<string, unknown> & {
    summary?: string | null;
    issuetype?: { name?: string } | null;
    status?: { name?: string; statusCategory?: { key?: string } } | null;
    priority?: { name?: string } | null;
    labels?: string[] | null;
    reporter?: JiraUser | null;
    assignee?: JiraUser | null;
    created: string;
    updated: string;
    resolutiondate?: string | null;
  };
  /** the most recent histories only (Jira embeds a limited number); `total` says how many there are */
  changelog?: { total?: number; histories?: JiraHistory[] };
}
interface SearchPage {
  issues: JiraIssue[];
  nextPageToken?: string;
}

/** Jira's `2026-07-01T09:00:00.000+0000`: an ISO instant. */
const instant = (s: string) => new Date(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString();
/** JQL's minute precision, in UTC (the API account's time zone is UTC in Jira Cloud by default; the overlap covers the rest). */
const jqlMinute = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
const JIRA_PAGE = 100;
/** The page of GET /issue/{id}/changelog (Jira's maximum). */
const CHANGELOG_PAGE = 100;

/** The access to an organization's site, its token decrypted. */
function siteAccess(site: Pick<JiraSiteRow, 'base_url' | 'email' | 'api_token'>, config: Pick<AppConfig, 'ENCRYPTION_KEYS'>): JiraSiteAccess {
  return { baseUrl: site.base_url, email: site.email, token: KeyRing.fromConfig(config.ENCRYPTION_KEYS).decrypt(site.api_token) };
}

/**
 * An organization's Jira issues updated since the last sync minus the overlap (a first sync:
 * GITHUB_SYNC_INITIAL_DAYS back, or all), through the JQL search (`nextPageToken` pages of 100, with
 * their changelog), written with their people matched by email to developers (developer_identities:
 * an unknown one is no one), their status transitions and the status categories GET /status gives:
 * started at the first move into an in-progress category, resolved at Jira's resolution date. The
 * cursor moves only when every page is written; a 429 parks the job (Retry-After), a refused token
 * fails it with the reason recorded on the site.
 */
export async function syncJira(
  ctx: {
    em: EntityManager;
    log: Logger;
    config: Pick<AppConfig, 'ENCRYPTION_KEYS' | 'GITHUB_SYNC_OVERLAP_MINUTES' | 'GITHUB_SYNC_INITIAL_DAYS' | 'JIRA_RECONCILE_HOURS'>;
  },
  organizationId: string,
  now = new Date(),
): Promise<{ fetched: number; written: number; deleted?: number }> {
  const site = await jiraSite(ctx.em, organizationId);
  if (!site) throw new PermanentError(`organization ${organizationId} has no Jira site (aexy jira install)`);
  const access = siteAccess(site, ctx.config);
  try {
    const categories = new Map(
      (await jiraGet<{ name: string; statusCategory?: { key?: string } }[]>(access, 'rest/api/3/status')).map((s) => [s.name, s.statusCategory?.key ?? 'new']),
    );
    const cursor = site.cursor_at ? new Date(site.cursor_at) : null;
    const since = cursor
      ? new Date(cursor.getTime() - ctx.config.GITHUB_SYNC_OVERLAP_MINUTES * 60_000)
      : ctx.config.GITHUB_SYNC_INITIAL_DAYS > 0
        ? new Date(now.getTime() - ctx.config.GITHUB_SYNC_INITIAL_DAYS * 86_400_000)
        : new Date(0);
    const jql = `${site.jql ? `(${site.jql}) AND ` : ''}updated >= "${jqlMinute(since)}" ORDER BY updated ASC`;
    const fields = ['summary', 'issuetype', 'status', 'priority', 'labels', 'reporter', 'assignee', 'created', 'updated', 'resolutiondate'];
    if (site.story_points_field) fields.push(site.story_points_field);
    let fetched = 0;
    let written = 0;
    let newest: Date | null = null;
    let token: string | undefined;
    do {
      const page = await jiraGet<SearchPage>(access, 'rest/api/3/search/jql', {
        jql,
        maxResults: String(JIRA_PAGE),
        fields: fields.join(','),
        expand: 'changelog',
        ...(token ? { nextPageToken: token } : {}),
      });
      fetched += page.issues.length;
      // What the overlap reads again unchanged is neither paged nor written again.
      const stored = await storedIssueUpdates(
        ctx.em,
        'jira',
        page.issues.map((i) => jiraExternalId(organizationId, i.id)),
      );
      const changed = page.issues.filter((i) => stored.get(jiraExternalId(organizationId, i.id)) !== new Date(instant(i.fields.updated)).getTime());
      for (const i of changed) await completeChangelog(access, i);
      written += await writePage(ctx.em, organizationId, site, changed, categories);
      for (const i of page.issues) if (!newest || new Date(instant(i.fields.updated)) > newest) newest = new Date(instant(i.fields.updated));
      token = page.nextPageToken;
    } while (token);
    await recordJiraSync(ctx.em, organizationId, { cursor: newest });
    // A deleted issue leaves no trace in a search: the stored ones are checked against the site
    // every JIRA_RECONCILE_HOURS (a first sync has just read them all).
    const due = site.reconciled_at && now.getTime() - new Date(site.reconciled_at).getTime() >= ctx.config.JIRA_RECONCILE_HOURS * 3_600_000;
    const deleted = due ? await reconcileJira(ctx, organizationId, access, site.jql, now) : undefined;
    if (!site.reconciled_at) await recordJiraSync(ctx.em, organizationId, { reconciledAt: now });
    ctx.log.info({ organizationId, fetched, written, deleted }, 'jira issues synced');
    return { fetched, written, ...(deleted !== undefined ? { deleted } : {}) };
  } catch (err) {
    if (err instanceof PermanentError) await recordJiraSync(ctx.em, organizationId, { error: err.message });
    throw err;
  }
}

/**
 * The whole changelog of an issue whose search result holds only its most recent histories (Jira
 * embeds a limited number: `total` says how many there are): GET /rest/api/3/issue/{id}/changelog,
 * oldest first, 100 a page.
 */
async function completeChangelog(access: JiraSiteAccess, issue: JiraIssue): Promise<void> {
  const embedded = issue.changelog?.histories ?? [];
  if (!issue.changelog || (issue.changelog.total ?? 0) <= embedded.length) return;
  const histories: JiraHistory[] = [];
  for (let startAt = 0; ;) {
    const page = await jiraGet<{ values: JiraHistory[]; isLast?: boolean; total?: number }>(
      access,
      `rest/api/3/issue/${encodeURIComponent(issue.id)}/changelog`,
      {
        startAt: String(startAt),
        maxResults: String(CHANGELOG_PAGE),
      },
    );
    histories.push(...page.values);
    startAt += page.values.length;
    if (page.isLast !== false || page.values.length === 0) break;
  }
  issue.changelog = { total: histories.length, histories };
}

async function writePage(em: EntityManager, organizationId: string, site: JiraSiteRow, issues: JiraIssue[], categories: Map<string, string>): Promise<number> {
  const emails = issues
    .flatMap((i) => [i.fields.reporter, i.fields.assignee].flatMap((u) => (u?.emailAddress ? [normaliseEmail(u.emailAddress) ?? ''] : [])))
    .filter(Boolean);
  return em.transactional(async (tx) => {
    const people = await resolveEmails(tx, emails);
    const who = (u: JiraUser | null | undefined) => (u?.emailAddress ? (people.get(normaliseEmail(u.emailAddress) ?? '') ?? null) : null);
    const rows = issues.map((i): IssueRow => {
      const f = i.fields;
      const transitions = (i.changelog?.histories ?? [])
        .flatMap((h) =>
          (h.items ?? []).filter((it) => it.field === 'status').map((it) => ({ at: instant(h.created), from: it.fromString ?? null, to: it.toString ?? '' })),
        )
        .sort((a, b) => a.at.localeCompare(b.at));
      const done = f.status?.statusCategory?.key === 'done';
      const resolved = f.resolutiondate ? instant(f.resolutiondate) : null;
      const points = site.story_points_field ? f[site.story_points_field] : null;
      const assignee = who(f.assignee);
      return {
        source: 'jira',
        external_id: jiraExternalId(organizationId, i.id),
        issue_key: i.key,
        repository_full_name: null,
        project_key: i.key.replace(/-\d+$/, ''),
        organization_id: organizationId,
        author_github_id: null,
        assignee_github_ids: [],
        developer_id: who(f.reporter),
        assignee_ids: assignee ? [assignee] : [],
        title: f.summary ? storableText(f.summary, 10_000) : null,
        state: done ? 'closed' : 'open',
        state_reason: f.status?.name ? storableText(f.status.name, 30) : null,
        issue_type: f.issuetype?.name ? storableText(f.issuetype.name, 100) : null,
        labels: (f.labels ?? []).map((l) => storableText(l, 255)),
        priority: f.priority?.name ? storableText(f.priority.name, 50) : null,
        story_points: typeof points === 'number' ? points : null,
        created_at: instant(f.created),
        started_at: transitions.find((t) => categories.get(t.to) === 'indeterminate')?.at ?? null,
        resolved_at: resolved,
        closed_at: done ? (resolved ?? instant(f.updated)) : null,
        updated_at: instant(f.updated),
        transitions: transitions.map((t) => ({
          at: t.at,
          to_status: storableText(t.to, 100),
          from_status: t.from,
          status_category: categories.get(t.to) ?? 'new',
        })),
      };
    });
    return upsertIssues(tx, rows, new Map());
  });
}
