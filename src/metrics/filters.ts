import type { QueryResultRow } from 'pg';
import { z } from 'zod';
import { organizationMembers } from '../organizations/index.js';
import { teamMembers } from './queries.js';

const isoDate = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp' }).or(z.iso.date({ message: 'must be a date (YYYY-MM-DD)' }));

/** The filters of custom_reports.filters: {date_range, team_ids, developer_ids, repositories}. */
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
    /** the work (and deployments, incidents) of these repositories only, by full name */
    repositories: z
      .array(z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be repository full names (owner/name)'))
      .max(1_000)
      .optional(),
  })
  .strict();
export type MetricFilters = z.infer<typeof metricFiltersSchema>;

/**
 * Filters as the code applies them: the user's filters plus the organization they are scoped to. The
 * organization is set by the code (a report's `organization_id`, an export's requester), never read
 * from a report's stored filters (metricFiltersSchema is strict and has no such key).
 */
export type ScopedFilters = MetricFilters & { organization_id?: string };

/** A resolved window and developer set: what every metric query binds. */
export interface Scope {
  start: Date;
  end: Date;
  /** null = everyone (only without an organization: reports and exports always have one) */
  developerIds: string[] | null;
  /** The organization whose repositories' work counts (null: every repository's; see organizations/repositories.ts). */
  organizationId: string | null;
  /** Whether the developer set comes from team or developer filters (not only from the organization's members). */
  peopleFiltered: boolean;
  /** The repositories whose work counts (null: every one of the organization's). */
  repositories: string[] | null;
  /** The teams a filter named (null: none named); what is per team (working agreements) reads them. */
  teamIds: string[] | null;
  /** The statement is evaluated for many people in turn (computePerDeveloper): read commits as for a wide scope. */
  manyPeople?: boolean;
  /** The merge commits' hashed lookup fits in the server's hash memory (mergesFitInMemory): counted_commits_wide may be read. */
  mergesFit?: boolean;
}

/** Anything that runs node-postgres queries: a client or a pool. */
interface Queryable {
  query<R extends QueryResultRow>(text: string, params: unknown[]): Promise<{ rows: R[] }>;
}

/** How resolveScope learns team members and an organization's members. */
export interface ScopeLookup {
  /** members of these teams; with an organization, of its teams among them only */
  teamMembers(teamIds: string[], organizationId?: string): Promise<string[]>;
  organizationMembers(organizationId: string): Promise<string[]>;
}

export const scopeLookup = (client: Queryable): ScopeLookup => ({
  teamMembers: (teamIds, organizationId) => teamMembers(client, teamIds, organizationId),
  organizationMembers: (organizationId) => organizationMembers(client, organizationId),
});

/** A lookup for when only the window matters. */
export const NO_LOOKUP: ScopeLookup = { teamMembers: async () => [], organizationMembers: async () => [] };

/**
 * Turn filters into a Scope: the window defaults to the last 30 days; teams expand to their members
 * (union with explicit developer ids). Resolving teams once, up front, keeps every metric query a
 * plain `developer_id = ANY($ids)` that the (developer_id, date) indexes serve. With an organization,
 * the set never leaves it: no filter means its members (an empty set when it has none, never
 * "everyone"), and a filter is intersected with them.
 */
export async function resolveScope(filters: ScopedFilters, lookup: ScopeLookup, now = new Date()): Promise<Scope> {
  const r = filters.date_range ?? {};
  const end = r.end ? new Date(r.end) : now;
  const start = r.start ? new Date(r.start) : new Date(end.getTime() - (r.days ?? 30) * 86_400_000);
  const org = filters.organization_id;
  let developerIds: string[] | null = null;
  const peopleFiltered = Boolean(filters.developer_ids?.length || filters.team_ids?.length);
  if (peopleFiltered) {
    const fromTeams = filters.team_ids?.length ? await lookup.teamMembers(filters.team_ids, org) : [];
    developerIds = [...new Set([...(filters.developer_ids ?? []), ...fromTeams])];
  }
  if (org) {
    const members = await lookup.organizationMembers(org);
    if (developerIds === null) developerIds = members;
    else {
      const inOrg = new Set(members);
      developerIds = developerIds.filter((id) => inOrg.has(id));
    }
  }
  return {
    start,
    end,
    developerIds,
    organizationId: org ?? null,
    peopleFiltered,
    repositories: filters.repositories?.length ? filters.repositories : null,
    teamIds: filters.team_ids?.length ? filters.team_ids : null,
  };
}
