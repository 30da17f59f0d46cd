import { GitMissingError, GitRemoteRefusedError } from './git-process.js';

/** Why a repository's commits were read from the API instead of git. */
export type GitFallbackReason = 'git-missing' | 'remote-refused';

/**
 * The two reasons to read commits from the API when GITHUB_COMMITS_FROM=git: git is not installed,
 * or the remote refuses the repository (not found or no access over git, while the API answers).
 * Anything else (a timeout, a network failure, a lock) is no reason: the sync is retried.
 */
export function gitFallbackReason(err: unknown): GitFallbackReason | null {
  if (err instanceof GitMissingError) return 'git-missing';
  if (err instanceof GitRemoteRefusedError) return 'remote-refused';
  return null;
}
