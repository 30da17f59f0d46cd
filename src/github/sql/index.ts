/** The GitHub feature's statements others read: the git fallback totals (/metrics), tracked names. */
export { gitFallbackTotals } from './git-fallbacks.js';
/** A tracked repository's name as tracked, matched as GitHub matches names (the incident webhook). */
export { trackedName } from './tracked.js';
/** Issues, written by the GitHub sync and the Jira sync alike. */
export { storedIssueUpdates, upsertIssues, type IssueRow } from './issues.js';
