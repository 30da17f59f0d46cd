import type { EntityManager } from '@mikro-orm/postgresql';
import { individualRefusal, organizationPolicy, organizationsOfDeveloper, outsideOrganization } from '../organizations/index.js';
import { PERSON_EXPORT_TYPES, type ExportConfig } from './definitions.js';

/**
 * The organization an export is of, or why it has none. An export never spans organizations:
 * - `config.organization_id`, when given, must be one of the requester's (if there is a requester);
 * - otherwise the requester's organization, when they are in the teams of exactly one;
 * - an export with neither (or a requester of several organizations and no choice) is refused;
 * - so is one whose team or developer filters name what is outside that organization.
 */
export async function exportOrganization(
  em: EntityManager,
  requestedBy: string | null | undefined,
  config: Pick<ExportConfig, 'organization_id' | 'team_ids' | 'developer_ids'>,
): Promise<{ organizationId: string } | { problem: string }> {
  const chosen = await chooseOrganization(em, requestedBy, config.organization_id);
  if ('problem' in chosen) return chosen;
  // Filters naming another organization's teams or people are refused, not silently narrowed.
  const outside = await outsideOrganization(em, chosen.organizationId, config);
  return outside.length ? { problem: outside.map((p) => `config.${p}`).join('; ') } : chosen;
}

async function chooseOrganization(
  em: EntityManager,
  requestedBy: string | null | undefined,
  organizationId: string | undefined,
): Promise<{ organizationId: string } | { problem: string }> {
  const orgs = requestedBy ? await organizationsOfDeveloper(em, requestedBy) : null;
  if (organizationId) {
    if (orgs && !orgs.includes(organizationId))
      return { problem: `config.organization_id: the requester ${requestedBy} is in no team of organization ${organizationId}` };
    return { organizationId };
  }
  if (!orgs) return { problem: 'an export is of one organization: give requestedBy (its organization is used) or config.organization_id' };
  if (orgs.length === 1) return { organizationId: orgs[0]! };
  if (orgs.length === 0) return { problem: `requestedBy: developer ${requestedBy} is in no team of any organization` };
  return { problem: `config.organization_id: the requester is in the teams of ${orgs.length} organizations (${orgs.join(', ')}); name one` };
}

/**
 * What the organization's policy says of an export: refused when it names people (a type whose rows
 * do, or a developer filter) and numbers per person are not for its requester; else the group size
 * below which a team's numbers are withheld.
 */
export async function exportPolicy(
  em: EntityManager,
  organizationId: string,
  exportType: string,
  config: Pick<ExportConfig, 'developer_ids'>,
  requestedBy: string | null | undefined,
): Promise<{ minGroupSize: number } | { problem: string }> {
  const policy = await organizationPolicy(em, organizationId);
  const refusal = await individualRefusal(em, organizationId, policy, requestedBy ?? null);
  if (refusal && (PERSON_EXPORT_TYPES as readonly string[]).includes(exportType))
    return { problem: `export_type: ${exportType} exports name people, and ${refusal}; team_metrics, deployments and incidents do not` };
  if (refusal && config.developer_ids?.length) return { problem: `config.developer_ids: a filter by developer is a view per person, and ${refusal}` };
  return { minGroupSize: policy.min_group_size };
}
