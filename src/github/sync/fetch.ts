import type { GitHubClient } from '../api/client.js';
import { ghCommitDetail, parseGitHub, type GhCommitDetail } from '../api/schemas.js';

/** Small helpers of the sync's GitHub reads. */

export function splitRepo(repo: string): { owner: string; repo: string } {
  const [owner, name] = repo.split('/');
  return { owner: owner!, repo: name! };
}

export const hasNext = (link: string | undefined) => !!link && /rel="next"/.test(link);

/** GET a commit with all of its files: GitHub pages the file list (300 per page, up to 3000). */
export async function fetchCommit(
  octokit: GitHubClient,
  repo: string,
  sha: string,
): Promise<{ commit: GhCommitDetail; files: NonNullable<GhCommitDetail['files']> }> {
  const { owner, repo: name } = splitRepo(repo);
  let page = 1;
  let commit: GhCommitDetail | undefined;
  const files: NonNullable<GhCommitDetail['files']> = [];
  for (;;) {
    const res = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner, repo: name, ref: sha, page });
    const detail = parseGitHub(ghCommitDetail, res.data, `commit ${repo}@${sha.slice(0, 7)}`);
    commit ??= detail;
    files.push(...(detail.files ?? []));
    if (!hasNext(res.headers.link)) break;
    page += 1;
  }
  return { commit: commit!, files };
}
