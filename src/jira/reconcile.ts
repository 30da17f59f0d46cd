import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { jiraFind, jiraGet, type JiraSiteAccess } from './client.js';
import { deleteJiraIssues, recordJiraSync, storedJiraIssues } from './queries.js';

/** Issue ids a search page: Jira's most when only ids are asked for. */
const ID_PAGE = 5_000;

/**
 * Remove the stored issues Jira no longer has. A search does not report deletions, so the ids the
 * site's JQL selects in the stored issues' projects are listed (ids only, 5,000 a page) and each
 * stored issue missing from them is asked for by id: only Jira's 404 (deleted, or no longer visible
 * to the account) removes it, so a search that lags behind removes nothing. An issue that exists but
 * left the JQL stays as last read. Returns how many were removed.
 */
export async function reconcileJira(
  ctx: { em: EntityManager; log: Logger },
  organizationId: string,
  access: JiraSiteAccess,
  jql: string | null,
  now: Date,
): Promise<number> {
  const stored = await storedJiraIssues(ctx.em, organizationId);
  let deleted = 0;
  if (stored.length) {
    const projects = [...new Set(stored.map((s) => s.project_key))].sort();
    const listed = new Set<string>();
    let token: string | undefined;
    do {
      const page = await jiraGet<{ issues: { id: string }[]; nextPageToken?: string }>(access, 'rest/api/3/search/jql', {
        jql: `${jql ? `(${jql}) AND ` : ''}project in (${projects.map((p) => `"${p}"`).join(', ')})`,
        fields: 'id',
        maxResults: String(ID_PAGE),
        ...(token ? { nextPageToken: token } : {}),
      });
      for (const i of page.issues) listed.add(i.id);
      token = page.nextPageToken;
    } while (token);
    const gone: string[] = [];
    for (const s of stored.filter((x) => !listed.has(x.issue_id)))
      if ((await jiraFind(access, `rest/api/3/issue/${encodeURIComponent(s.issue_id)}`, { fields: 'updated' })) === null) gone.push(s.issue_id);
    deleted = await deleteJiraIssues(ctx.em, organizationId, gone);
    ctx.log.info({ organizationId, stored: stored.length, listed: listed.size, deleted }, 'jira issues reconciled');
  }
  await recordJiraSync(ctx.em, organizationId, { reconciledAt: now });
  return deleted;
}
