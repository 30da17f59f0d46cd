/** The shapes of GitHub names, for payload schemas (job contracts import this and nothing heavier). */

/** A GitHub user or organization login (alphanumerics and single hyphens, up to 39 characters). */
export const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

/** A repository's full name, "owner/name". */
export const REPO_FULL_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
