/**
 * What of the synced work is an organization's: the commits, pull requests and reviews of the
 * repositories it tracks (tracked_repositories.organization_id; a repository belongs to one
 * organization, tracked or no longer). A person in the teams of two organizations is a member of
 * both, and each sees only the work done in its own repositories: their commits, pull requests and
 * reviews elsewhere count for, and are shown to, the organization of those repositories only.
 * Each builder takes SQL expressions (a table alias, an organization id expression) and returns a
 * predicate; values are always bound by the caller.
 */

/** A career role (alias with organization_id) an organization sees: the standard ladder and its own custom roles. */
export const roleOfOrganizationSql = (alias: string, org: string) => `(${alias}.organization_id IS NULL OR ${alias}.organization_id = ${org})`;

/** The full names of an organization's repositories, as a subquery over an organization id expression. */
export const organizationRepositoriesSql = (org: string) => `(SELECT full_name FROM tracked_repositories WHERE organization_id = ${org})`;

/** A commit (alias `c`, any table with repository_full_name) of one of the organization's repositories. */
export const commitInOrganizationSql = (alias: string, org: string) => `${alias}.repository_full_name IN ${organizationRepositoriesSql(org)}`;

/** A pull request (alias with github_id) of one of the organization's repositories (its full name from github_pull_repositories). */
export const pullInOrganizationSql = (alias: string, org: string) =>
  `${alias}.github_id IN (SELECT gr.github_id FROM github_pull_repositories gr WHERE gr.repository_full_name IN ${organizationRepositoriesSql(org)})`;

/** A review (alias with pull_request_id) of a pull request of one of the organization's repositories. */
export const reviewInOrganizationSql = (alias: string, org: string) =>
  `${alias}.pull_request_id IN (SELECT op.id FROM pull_requests op JOIN github_pull_repositories gr ON gr.github_id = op.github_id
                                 WHERE gr.repository_full_name IN ${organizationRepositoriesSql(org)})`;

/**
 * The counted_* views narrowed to an organization's repositories, as row sources for a FROM clause,
 * over an organization id expression that may be NULL (then nothing is narrowed: a subject of no
 * organization).
 */
export const scopedCountedSql = {
  commits: (org: string) => `(SELECT * FROM counted_commits sc WHERE ${org} IS NULL OR ${commitInOrganizationSql('sc', org)})`,
  pulls: (org: string) => `(SELECT * FROM counted_pull_requests sp WHERE ${org} IS NULL OR ${pullInOrganizationSql('sp', org)})`,
  reviews: (org: string) => `(SELECT * FROM counted_code_reviews sr WHERE ${org} IS NULL OR ${reviewInOrganizationSql('sr', org)})`,
};
