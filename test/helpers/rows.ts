import { randomBytes, randomInt } from 'node:crypto';
import type pg from 'pg';

/**
 * Row factories: the rows tests need, written with the columns a test names and the contract's (or
 * a plain test) default for the rest. Each returns the new row's id. Columns are the table's own
 * names (snake_case); jsonb columns take values (written as JSON), array columns JS arrays, and
 * times a Date or an ISO string. Set-based seeds (generate_series over thousands of rows) stay SQL.
 */
type Columns = Record<string, unknown>;

/** The jsonb columns of the tables the factories write: their values are sent as JSON text. */
const JSONB: Record<string, readonly string[]> = {
  developers: ['languages', 'frameworks', 'domains'],
  commits: ['files', 'languages'],
  pull_requests: ['labels', 'reviewers'],
  custom_reports: ['widgets', 'filters', 'layout'],
  export_jobs: ['config'],
  slack_integrations: ['user_mappings', 'notification_settings'],
  predictive_insights: ['factors', 'recommendations'],
  career_roles: ['required_skills', 'optional_skills'],
  learning_paths: ['skill_gaps', 'recommended_activities'],
};

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

export interface Rows {
  /** Any row of a table, exactly the columns given (its id, for a table that has one). */
  insert(table: string, columns: Columns): Promise<string>;
  developer(d: { githubId?: number; login: string; email?: string | null; skills?: string[] } & Columns): Promise<string>;
  team(t: { name: string; organizationId: string | null; developerIds: string[] } & Columns): Promise<string>;
  trackedRepository(r: { fullName: string; organizationId: string | null } & Columns): Promise<string>;
  /** A predictive insight generated `daysAgo` days ago (of an organization, when one is given). */
  insight(
    i: { developerId?: string | null; teamId?: string | null; type: string; riskScore?: number; daysAgo?: number; organizationId?: string } & Columns,
  ): Promise<string>;
  /** A commit: a random sha, repository `api`, committed now, unless given. */
  commit(c: Columns): Promise<string>;
  /** A pull request: a random GitHub id (its number the same), repository `api`, open, created now, unless given. */
  pullRequest(p: Columns): Promise<string>;
  /** A review: a random GitHub id, approved, submitted now, unless given. */
  codeReview(r: { pull_request_id: string } & Columns): Promise<string>;
  /** An export request: commits as CSV, pending, unless given. */
  exportJob(e: Columns): Promise<string>;
  /** A custom report: no widgets, no filters, unless given. */
  customReport(r: { name: string } & Columns): Promise<string>;
  /** A Slack integration of an organization: a random team id and a placeholder token, unless given. */
  slackIntegration(s: { organization_id: string } & Columns): Promise<string>;
  /** A Slack notification attempt (pending unless given), under an idempotency key when one is given. */
  slackAttempt(a: { integration_id: string; key?: string } & Columns): Promise<string>;
}

export function rowsOf(db: pg.Pool): Rows {
  const insert = async (table: string, columns: Columns): Promise<string> => {
    const names = Object.keys(columns);
    const json = JSONB[table] ?? [];
    const params = names.map((n) => {
      const v = columns[n];
      if (v instanceof Date) return v.toISOString();
      return json.includes(n) && v !== null && v !== undefined ? JSON.stringify(v) : v;
    });
    const text = `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`;
    return (await db.query<{ id: string }>(text, params)).rows[0]!.id;
  };
  return {
    insert,
    developer: ({ githubId, login, email, skills, ...rest }) =>
      insert('developers', { github_id: githubId ?? randomInt(1, 2 ** 31), github_username: login, email: email ?? null, skills: skills ?? [], ...rest }),
    team: ({ name, organizationId, developerIds, ...rest }) => insert('teams', { name, organization_id: organizationId, developer_ids: developerIds, ...rest }),
    trackedRepository: ({ fullName, organizationId, ...rest }) =>
      insert('tracked_repositories', { full_name: fullName, organization_id: organizationId, ...rest }),
    insight: async ({ developerId, teamId, type, riskScore, daysAgo, organizationId, ...rest }) => {
      const id = await insert('predictive_insights', {
        developer_id: developerId ?? null,
        team_id: teamId ?? null,
        insight_type: type,
        risk_score: riskScore ?? 0.5,
        generated_at: new Date(Date.now() - (daysAgo ?? 0) * 86_400_000),
        ...rest,
      });
      if (organizationId) await insert('predictive_insight_organizations', { insight_id: id, organization_id: organizationId });
      return id;
    },
    commit: (c) => insert('commits', { sha: hex(20), repository_name: 'api', committed_at: new Date(), ...c }),
    pullRequest: (p) => {
      const githubId = (p.github_id as number | undefined) ?? randomInt(1, 2 ** 31);
      return insert('pull_requests', {
        github_id: githubId,
        number: githubId % 1_000_000,
        repository_name: 'api',
        state: 'open',
        created_at: new Date(),
        ...p,
      });
    },
    codeReview: (r) => insert('code_reviews', { github_id: randomInt(1, 2 ** 31), state: 'approved', submitted_at: new Date(), ...r }),
    exportJob: (e) => insert('export_jobs', { export_type: 'commits', format: 'csv', ...e }),
    customReport: (r) => insert('custom_reports', { widgets: [], filters: {}, ...r }),
    slackAttempt: async ({ key, ...columns }) => {
      const id = await insert('slack_notification_logs', {
        channel_id: 'C0ALERTS',
        notification_type: 'insight_alert',
        content_summary: 'x',
        status: 'pending',
        ...columns,
      });
      if (key) await insert('slack_notification_keys', { log_id: id, idempotency_key: key });
      return id;
    },
    slackIntegration: (s) => insert('slack_integrations', { team_id: `T${hex(5).toUpperCase()}`, bot_token: 'x', ...s }),
  };
}

/** A time `ms` milliseconds ago (the factories' times are values, not SQL). */
export const ago = (ms: number): Date => new Date(Date.now() - ms);
export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;
