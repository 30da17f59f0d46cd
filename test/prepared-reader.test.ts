import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { GitRepo } from '../src/dev/git-repo.js';
import { TransientError } from '../src/errors/index.js';
import { prepareChunk, type CommitChunk } from '../src/github/sync/commit-chunk.js';
import { GitMissingError } from '../src/github/sync/git-process.js';
import { CommitReader } from '../src/github/sync/git.js';
import { PreparedCommitReader } from '../src/github/sync/prepared-reader.js';

/**
 * The commit thread (PreparedCommitReader): chunks read and made on a thread of their own are the
 * chunks the job's thread would make itself from the same git, errors arrive as their kind, and a
 * reader stopped half-way stops its gits.
 */

const repos: GitRepo[] = [];
afterAll(() => repos.forEach((r) => rmSync(r.root, { recursive: true, force: true })));

/** `n` commits by 5 authors over 9 files, some with co-authors, one reverting another; their shas as git lists them. */
function history(n: number): { repo: GitRepo; shas: string[] } {
  const repo = new GitRepo();
  repos.push(repo);
  repo.importCommits(
    Array.from({ length: n }, (_, i) => ({
      who: { name: `Dev ${i % 5}`, email: `Dev${i % 5}@X.example` },
      date: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(),
      message: i % 7 === 3 ? `fix ${i}\n\nCo-authored-by: Pair ${i} <pair${i % 3}@x.example>` : `change ${i}\twith a tab\\ and a backslash`,
      path: `src/f${i % 9}.ts`,
      content: `export const v = ${i};\n`.repeat(1 + (i % 5)),
    })),
  );
  return { repo, shas: repo.git('rev-list', '--reverse', 'HEAD').trim().split('\n') };
}

const mirrorOf = (repo: GitRepo, env: NodeJS.ProcessEnv = { PATH: process.env.PATH }, signal?: AbortSignal) => ({
  dir: repo.work,
  env,
  timeoutMs: 60_000,
  signal,
});

async function drain(reader: AsyncIterator<CommitChunk>): Promise<CommitChunk[]> {
  const out: CommitChunk[] = [];
  for (let r = await reader.next(); !r.done; r = await reader.next()) out.push(r.value);
  return out;
}

/** The git processes this process started that are still running (its threads share its pid). */
function gitChildren(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [comm, rest] = [stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), stat.slice(stat.lastIndexOf(')') + 2).split(' ')];
        return comm === 'git' && Number(rest[1]) === process.pid ? [Number(pid)] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}

describe('the commit thread (PreparedCommitReader)', () => {
  it('hands over the chunks the job thread would make from the same git: rows, COPY text, lengths, in git order', async () => {
    const { repo, shas } = history(1_300);
    const threaded = new PreparedCommitReader(mirrorOf(repo), 'o/r', shas, 500, 100);
    const got = await drain(threaded);
    const here: CommitChunk[] = [];
    for await (const chunk of new CommitReader(mirrorOf(repo), shas, 500, undefined, 100)) here.push(await prepareChunk('o/r', chunk));
    expect(got.map((c) => c.rows.length)).toEqual([100, 200, 400, 500, 100]);
    expect(threaded.lengths).toEqual(got.map((c) => c.rows.length));
    expect(got.flatMap((c) => c.rows.map((r) => r.sha))).toEqual(shas);
    expect(got).toEqual(here);
    // Authors are GitHub's to give: none yet.
    expect(got.every((c) => c.users.length === 0 && c.rows.every((r) => r.author_github_id === null))).toBe(true);
    // What git says of a commit, through the thread: its email (lower-cased) and its co-author.
    const i = 1_298;
    expect(got.flatMap((c) => c.rows)[i]).toMatchObject({
      author_email: repo.git('log', '-1', '--format=%ae', shas[i]!).trim().toLowerCase(),
      coauthors: [{ name: `Pair ${i}`, email: `pair${i % 3}@x.example` }],
    });
  });

  it('serves two readers at once, each its own commits', async () => {
    const a = history(300);
    const b = history(700);
    const [ga, gb] = await Promise.all([
      drain(new PreparedCommitReader(mirrorOf(a.repo), 'o/a', a.shas, 200)),
      drain(new PreparedCommitReader(mirrorOf(b.repo), 'o/b', b.shas, 200)),
    ]);
    expect(ga.flatMap((c) => c.rows.map((r) => `${r.repository_full_name} ${r.sha}`))).toEqual(a.shas.map((s) => `o/a ${s}`));
    expect(gb.flatMap((c) => c.rows.map((r) => `${r.repository_full_name} ${r.sha}`))).toEqual(b.shas.map((s) => `o/b ${s}`));
  });

  it("fails with git's error as its kind: a commit the mirror lacks (transient), git not installed", async () => {
    const { repo, shas } = history(50);
    const missing = new PreparedCommitReader(mirrorOf(repo), 'o/r', [...shas.slice(0, 3), 'f'.repeat(40)], 10);
    const failure = await drain(missing).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TransientError);
    expect((failure as Error).message).toMatch(/f{40}/);
    // Failed once, failed after.
    await expect(missing.next()).rejects.toBe(failure);
    const noGit = new PreparedCommitReader(mirrorOf(repo, { PATH: '/nonexistent' }), 'o/r', shas, 10);
    await expect(drain(noGit)).rejects.toBeInstanceOf(GitMissingError);
    // The thread goes on serving.
    expect((await drain(new PreparedCommitReader(mirrorOf(repo), 'o/r', shas, 20))).flatMap((c) => c.rows.map((r) => r.sha))).toEqual(shas);
  });

  it('stops its gits when closed half-way or when its job is aborted, and then hands nothing over', async () => {
    const { repo, shas } = history(3_000);
    expect(gitChildren()).toEqual([]);
    const closed = new PreparedCommitReader(mirrorOf(repo), 'o/r', shas, 100);
    expect((await closed.next()).done).toBe(false);
    // 3,000 commits do not fit in the pipes: git is still there, held.
    expect(gitChildren().length).toBeGreaterThan(0);
    closed.close();
    expect(await closed.next()).toEqual({ value: undefined, done: true });
    await vi.waitFor(() => expect(gitChildren()).toEqual([]), { timeout: 10_000 });

    const abort = new AbortController();
    const aborted = new PreparedCommitReader(mirrorOf(repo, undefined, abort.signal), 'o/r', shas, 100);
    expect((await aborted.next()).done).toBe(false);
    const coming = aborted.next();
    abort.abort(new Error('the worker is shutting down'));
    // The chunk asked for may have come first; the one after cannot.
    const after = await coming.then(() => aborted.next()).catch((err: unknown) => err);
    expect((after as Error).message).toBe('the worker is shutting down');
    await vi.waitFor(() => expect(gitChildren()).toEqual([]), { timeout: 10_000 });
  });
});
