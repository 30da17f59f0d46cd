/** The GitHub API client's public part: the client for a job's credentials, its errors and the response schemas. */
export { GitHubPermanentError } from './client.js';
export { githubFor, type GitHubHelpers } from './for-job.js';
export { ghFullUser, parseGitHub } from './schemas.js';
