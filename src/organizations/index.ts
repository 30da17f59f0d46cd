/** What an organization is made of (its teams' members, its repositories' work): the public module every scoped feature uses. */
export { organizationMembers, organizationMembersSql, organizationsOfDeveloper, outsideOrganization } from './queries.js';
export { commitInOrganizationSql, pullInOrganizationSql, reviewInOrganizationSql, roleOfOrganizationSql, scopedCountedSql } from './repositories.js';
export {
  DEFAULT_POLICY,
  individualRefusal,
  INDIVIDUAL_METRICS,
  organizationPolicy,
  setOrganizationPolicy,
  teamWithheld,
  tooFew,
  type IndividualMetrics,
  type OrganizationPolicy,
} from './policy.js';
