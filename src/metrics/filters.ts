import type { QueryResultRow } from 'pg';
import { sql } from '../db/sql.js';
import { z } from 'zod';

const isoDate = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp' }).or(z.iso.date({ message: 'must be a date (YYYY-MM-DD)' }));

/** The filters of custom_reports.filters: {date_range, team_ids, developer_ids}. */
export const metricFiltersSchema = z
  .object({
    date_range: z
      .object({ start: isoDate.optional(), end: isoDate.optional(), days: z.number().int().min(1).max(3650).optional() })
      .strict()
      .optional(),
    team_ids: z
      .array(z.uuid({ message: 'must be team UUIDs' }))
      .max(1_000)
      .optional(),
    developer_ids: z
      .array(z.uuid({ message: 'must be developer UUIDs' }))
      .max(10_000)
      .optional(),
  })
  .strict();
export type MetricFilters = z.infer<typeof metricFiltersSchema>;

/** A resolved window and developer set: what every metric query binds. */
export interface Scope {
  start: Date;
  end: Date;
  /** null = everyone */
  developerIds: string[] | null;
}

/**
 * Turn filters into a Scope: the window defaults to the last 30 days; teams expand to their members
 * (union with explicit developer ids). Resolving teams once, up front, keeps every metric query a
 * plain `developer_id = ANY($ids)` that the (developer_id, date) indexes serve.
 */
/** Anything that runs node-postgres queries: a client or a pool. */
interface Queryable {
  query<R extends QueryResultRow>(text: string, params: unknown[]): Promise<{ rows: R[] }>;
}

/** The developers of some teams (the scope's `team_ids`), for resolveScope. */
export const teamMembersOf =
  (client: Queryable) =>
  async (teamIds: string[]): Promise<string[]> =>
    (await sql<{ id: string }>(client, `SELECT DISTINCT unnest(developer_ids)::text AS id FROM teams WHERE id = ANY(?::uuid[])`, [teamIds])).map((r) => r.id);

export async function resolveScope(filters: MetricFilters, teamMembers: (teamIds: string[]) => Promise<string[]>, now = new Date()): Promise<Scope> {
  const r = filters.date_range ?? {};
  const end = r.end ? new Date(r.end) : now;
  const start = r.start ? new Date(r.start) : new Date(end.getTime() - (r.days ?? 30) * 86_400_000);
  let developerIds: string[] | null = null;
  if (filters.developer_ids?.length || filters.team_ids?.length) {
    const fromTeams = filters.team_ids?.length ? await teamMembers(filters.team_ids) : [];
    developerIds = [...new Set([...(filters.developer_ids ?? []), ...fromTeams])];
  }
  return { start, end, developerIds };
}
