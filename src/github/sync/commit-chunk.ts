import { setImmediate } from 'node:timers/promises';
import type { DeveloperRow } from '../../people/index.js';
import type { GhCommitDetail, GhUser } from '../api/schemas.js';
import { commitCopy, type CommitCopy, type CommitRow } from '../sql/writers.js';
import { commitRow, developerRow } from './map.js';

/** What writing a chunk needs of each commit besides its COPY text: who wrote it, and its message (references, reverts). */
export type ChunkRow = Pick<CommitRow, 'sha' | 'author_github_id' | 'repository_full_name' | 'message' | 'author_email' | 'coauthors'>;

/** A chunk of commits ready to write: its rows, their COPY text (commitCopy) and the GitHub accounts of their authors. */
export interface CommitChunk {
  rows: ChunkRow[];
  copy: CommitCopy;
  users: DeveloperRow[];
}

/** Commits made ready at a time, between turns of the event loop: what else the thread does (git's output, a write in flight) is not held up. */
const PREPARE_SLICE = 100;

/** A commit as GitHub's REST detail has it (the git path makes the same shape from git's output). */
export type CommitDetail = { commit: GhCommitDetail; files: NonNullable<GhCommitDetail['files']> };

/** Commits made a CommitChunk, PREPARE_SLICE at a time. */
export async function prepareChunk(repo: string, details: CommitDetail[]): Promise<CommitChunk> {
  const chunk: CommitChunk = { rows: [], copy: { commits: [], graph: '' }, users: [] };
  for (let i = 0; i < details.length; i += PREPARE_SLICE) {
    if (i > 0) await setImmediate();
    const rows = details.slice(i, i + PREPARE_SLICE).map((d) => commitRow(d.commit, d.files, repo));
    const copy = commitCopy(rows);
    for (const r of rows) {
      chunk.rows.push({
        sha: r.sha,
        author_github_id: r.author_github_id,
        repository_full_name: r.repository_full_name,
        message: r.message,
        author_email: r.author_email,
        coauthors: r.coauthors,
      });
    }
    chunk.copy.commits.push(...copy.commits);
    chunk.copy.graph += copy.graph;
  }
  chunk.users = details.flatMap((d) => (d.commit.author ? [developerRow(d.commit.author)] : []));
  return chunk;
}

/**
 * A chunk made without GitHub's word on its authors (git's path: the rows and their COPY text are
 * made while GitHub is asked), given it: each commit's account (`authors`: sha → GitHub's author,
 * null where GitHub links none). The COPY text holds no author: only the rows and accounts change.
 */
export function withAuthors(chunk: CommitChunk, authors: Map<string, GhUser | null>): CommitChunk {
  const users: DeveloperRow[] = [];
  const rows = chunk.rows.map((r) => {
    const author = authors.get(r.sha) ?? null;
    if (author) users.push(developerRow(author));
    return { ...r, author_github_id: author?.id ?? null };
  });
  return { rows, copy: chunk.copy, users };
}
