import type { EntityManager } from '@mikro-orm/postgresql';
import type { PgQueryable } from '../db/sql.js';
import { PermanentError } from '../errors/index.js';
import { isUuid } from '../lib/patterns.js';
import { isTeamLead, policyRow, teamSize, writePolicy } from './queries.js';

/**
 * An organization's policy for numbers about people:
 * - individual_metrics: `all` (the default) shows numbers per person wherever the organization's
 *   reports and exports go; `leads` only to its teams' leads (their exports; person alerts by direct
 *   message, as always); `off` to no one: per-person widgets and developer filters of reports,
 *   exports that name people, and insights about a person are refused, team numbers remain.
 * - min_group_size (default 3): a team-level number about fewer people is withheld ("fewer than 3
 *   people"), in reports, exports, team summaries and team insights.
 * Career paths stay their person's own in every mode (direct messages to them).
 */
export const INDIVIDUAL_METRICS = ['all', 'leads', 'off'] as const;
export type IndividualMetrics = (typeof INDIVIDUAL_METRICS)[number];
export interface OrganizationPolicy {
  individual_metrics: IndividualMetrics;
  min_group_size: number;
}
export const DEFAULT_POLICY: OrganizationPolicy = { individual_metrics: 'all', min_group_size: 3 };

const validGroupSize = (n: number) => Number.isInteger(n) && n >= 1 && n <= 50;

/**
 * The policy of an organization (none stored: the defaults). A stored value another program wrote
 * that does not fit fails closed: nothing per person, the default group size.
 */
export async function organizationPolicy(q: EntityManager | PgQueryable, organizationId: string | null | undefined): Promise<OrganizationPolicy> {
  if (!organizationId) return DEFAULT_POLICY;
  if (!isUuid(organizationId)) throw new PermanentError(`policy: organization ${JSON.stringify(organizationId)} must be an organization UUID`);
  const row = await policyRow(q, organizationId);
  if (!row) return DEFAULT_POLICY;
  return {
    individual_metrics: (INDIVIDUAL_METRICS as readonly string[]).includes(row.individual_metrics) ? (row.individual_metrics as IndividualMetrics) : 'off',
    min_group_size: validGroupSize(Number(row.min_group_size)) ? Number(row.min_group_size) : DEFAULT_POLICY.min_group_size,
  };
}

/** Change an organization's policy; what is not given stays. Each refusal names its reason. */
export async function setOrganizationPolicy(
  em: EntityManager,
  organizationId: string,
  changes: { individualMetrics?: string; minGroupSize?: number | string },
): Promise<OrganizationPolicy> {
  // organizationPolicy refuses an id that is no UUID.
  const current = await organizationPolicy(em, organizationId);
  const individual = changes.individualMetrics ?? current.individual_metrics;
  if (!(INDIVIDUAL_METRICS as readonly string[]).includes(individual))
    throw new PermanentError(`policy: individual_metrics ${JSON.stringify(individual)} must be one of ${INDIVIDUAL_METRICS.join(', ')}`);
  const size = changes.minGroupSize === undefined ? current.min_group_size : Number(changes.minGroupSize);
  if (!validGroupSize(size)) throw new PermanentError(`policy: min_group_size ${JSON.stringify(changes.minGroupSize)} must be a whole number from 1 to 50`);
  const next = { individual_metrics: individual as IndividualMetrics, min_group_size: size };
  await writePolicy(em, organizationId, next);
  return next;
}

/** Why a number per person is not shown under this policy (null: it may be, to this reader). */
export async function individualRefusal(
  q: EntityManager | PgQueryable,
  organizationId: string,
  policy: OrganizationPolicy,
  reader: string | null = null,
): Promise<string | null> {
  if (policy.individual_metrics === 'all') return null;
  if (policy.individual_metrics === 'off') return `individual metrics are off for organization ${organizationId} (aexy org policy)`;
  if (reader && (await isTeamLead(q, organizationId, reader))) return null;
  return `individual metrics of organization ${organizationId} are for its team leads only (aexy org policy)`;
}

/** The withheld note of a team-level number about too few people. */
export const tooFew = (policy: OrganizationPolicy, people: number) =>
  people < policy.min_group_size ? `withheld: fewer than ${policy.min_group_size} people (${people}) (aexy org policy)` : null;

/** Why a team's numbers are withheld under its organization's policy (too few people), or null. */
export async function teamWithheld(q: EntityManager | PgQueryable, teamId: string): Promise<string | null> {
  const team = await teamSize(q, teamId);
  return team?.organization_id ? tooFew(await organizationPolicy(q, team.organization_id), team.members) : null;
}
