import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { GitRepo } from '../src/dev/git-repo.js';
import { TransientError } from '../src/errors/index.js';
import { CatFileMessages, LOG_FORMAT, LogParser } from '../src/github/sync/git-parse.js';
import { GitMissingError, gitStream, gitText, NulTokens, type GitFlow } from '../src/github/sync/git-process.js';
import { chunkLengths, CommitReader, type GitCommit } from '../src/github/sync/git.js';

/**
 * The git path's parsers and process handling on their own: output cut at every byte boundary,
 * records out of step, a field larger than V8 can hold as one string, a git that must be stopped.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A stand-in `git` on PATH: a shell script (this test's own, not git). */
function fakeGit(script: string): { env: NodeJS.ProcessEnv; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aexy-fakegit-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'git'), `#!/bin/sh\n${script}\n`);
  chmodSync(join(dir, 'git'), 0o755);
  return { env: { PATH: `${dir}:/usr/bin:/bin`, MARK: join(dir, 'mark') }, dir };
}

/** A repository of `n` one-line commits by one author (git fast-import), and their shas in order. */
function smallHistory(n: number): { repo: GitRepo; shas: string[] } {
  const repo = new GitRepo();
  dirs.push(repo.root);
  const shas = repo.importCommits(
    Array.from({ length: n }, (_, i) => ({
      who: { name: 'A', email: 'a@x.example' },
      date: '2026-01-01T00:00:00Z',
      message: `m ${i}`,
      path: 'a.txt',
      content: `${i}\n`,
    })),
  );
  return { repo, shas };
}

describe('git output parsers', () => {
  it('read the same commits whatever the chunk boundaries, byte by byte included', async () => {
    const repo = new GitRepo();
    dirs.push(repo.root);
    repo.write('a\tb.txt', 'x\n');
    const c1 = repo.commitVerbatim({ name: 'A', email: 'a@x.example' }, '2026-01-01T00:00:00Z', 'one\n\n\n');
    repo.git('mv', 'a\tb.txt', '2026-01-01T00:00:00Z');
    const c2 = repo.commitVerbatim({ name: 'B', email: 'b@x.example' }, '2026-01-02T00:00:00Z', `two ${'\x1e\x1f'} ünï\n`);
    const shas = [c2, c1];
    const env = { PATH: process.env.PATH };
    const logOut: Buffer[] = [];
    await gitStream(
      { env, timeoutMs: 10_000 },
      ['-C', repo.work, 'log', '--no-walk=unsorted', '--diff-merges=first-parent', '--root', '-M', '--numstat', '-z', `--format=${LOG_FORMAT}`, ...shas],
      (c) => logOut.push(c),
    );
    const catOut: Buffer[] = [];
    await gitStream({ env, timeoutMs: 10_000 }, ['-C', repo.work, 'cat-file', '--batch'], (c) => catOut.push(c), shas.join('\n') + '\n');
    const whole = Buffer.concat(logOut);
    const wholeCat = Buffer.concat(catOut);
    const parse = (size: number) => {
      const log = new LogParser(shas);
      const cat = new CatFileMessages(shas);
      for (let i = 0; i < whole.length; i += size) log.push(whole.subarray(i, i + size));
      for (let i = 0; i < wholeCat.length; i += size) cat.push(wholeCat.subarray(i, i + size));
      return { commits: log.end(), messages: cat.end() };
    };
    const once = parse(whole.length + wholeCat.length);
    expect(once.commits.map((c) => c.sha)).toEqual(shas);
    expect(once.commits[0]!.files).toEqual([
      { filename: '2026-01-01T00:00:00Z', previous_filename: 'a\tb.txt', status: 'renamed', additions: 0, deletions: 0 },
    ]);
    expect(once.commits[1]!.files).toEqual([{ filename: 'a\tb.txt', status: 'modified', additions: 1, deletions: 0 }]);
    expect(once.messages.get(c1)).toBe('one\n\n\n');
    expect(once.messages.get(c2)).toBe(`two ${'\x1e\x1f'} ünï\n`);
    for (const size of [1, 2, 3, 7, 64]) expect(parse(size)).toEqual(once);
  });

  it('cut NUL-separated fields as decoding each field alone would, characters split by a chunk boundary included', () => {
    // 2-, 3- and 4-byte characters, an invalid byte and a truncated character before a NUL, an empty field.
    const bytes = Buffer.concat([
      Buffer.from('Zoë <zoe@x.example>\0'),
      Buffer.from('src/日本語/ファイル.ts\0'),
      Buffer.from('🚀 launch\0\0'),
      Buffer.from([0x61, 0xff, 0x62, 0x00, 0xe6, 0x97, 0x00]),
      Buffer.from('tail'),
    ]);
    // What each field is, decoded alone (split on the NUL byte, then decoded).
    const expected: string[] = [];
    for (let start = 0, nul = bytes.indexOf(0); nul !== -1; start = nul + 1, nul = bytes.indexOf(0, start))
      expected.push(bytes.subarray(start, nul).toString('utf8'));
    for (const size of [1, 2, 3, 5, bytes.length]) {
      const got: string[] = [];
      const tokens = new NulTokens((t) => got.push(t));
      for (let i = 0; i < bytes.length; i += size) tokens.push(bytes.subarray(i, i + size));
      expect(got).toEqual(expected);
      expect(tokens.rest()).toBe('tail');
    }
    expect(expected).toContain('src/日本語/ファイル.ts');
    expect(expected).toContain('a\ufffdb');
  });

  it('refuse output that is not the commits asked for, in their order, rather than guess', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const record = (sha: string, date = '2026-01-01T00:00:00+00:00') => `${sha}\0\0N\0n@x\0${date}\0N\0n@x\0${date}\0`;
    const parse = (expected: string[], text: string) => {
      const p = new LogParser(expected);
      p.push(Buffer.from(text));
      return p.end();
    };
    expect(parse([a, b], record(a) + record(b))).toHaveLength(2);
    expect(() => parse([a, b], record(b) + record(a))).toThrow(/out of step: expected commit a{40}/);
    expect(() => parse([a, b], record(a))).toThrow(/returned 1 of the 2/);
    expect(() => parse([a], record(a, 'not a date'))).toThrow(/invalid date/);
    // Each date on its own: to UTC from its offset, and the committer's checked even where the author's is good.
    const dated = (author: string, committer: string) => `${a}\0\0N\0n@x\0${author}\0N\0n@x\0${committer}\0`;
    expect(parse([a], dated('2026-01-01T02:00:00+02:00', '2026-01-01T00:00:00-05:00'))[0]).toMatchObject({
      authorDate: '2026-01-01T00:00:00Z',
      committerDate: '2026-01-01T05:00:00Z',
    });
    expect(() => parse([a], dated('2026-01-01T00:00:00+00:00', '2026-13-01T00:00:00+00:00'))).toThrow(/committer an invalid date/);
    expect(() => parse([a], record(a).slice(0, -5))).toThrow(/ended inside a record/);
    const cat = new CatFileMessages([a]);
    expect(() => cat.push(Buffer.from(`${b} commit 3\nabc\n`))).toThrow(/out of step: expected a{40}/);
    const blob = new CatFileMessages([a]);
    expect(() => blob.push(Buffer.from(`${a} blob 3\nabc\n`))).toThrow(/is a blob, not a commit/);
  });
});

describe('reading commits (CommitReader: one git log and one git cat-file for all of them)', () => {
  it("hands over every commit in git's order, chunk by chunk, as git itself answers each; holds git while chunks wait", async () => {
    const repo = new GitRepo();
    dirs.push(repo.root);
    // 3,000 commits with 1 KB messages: far more output than the pipes and streams buffer between git and us.
    const shas = repo.importCommits(
      Array.from({ length: 3_000 }, (_, i) => ({
        who: { name: `Dev ${i % 7}`, email: `dev${i % 7}@x.example` },
        date: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
        message: `change ${i}\n\n${'detail '.repeat(150)}`,
        path: `src/f${i % 25}.ts`,
        content: `export const v = ${i};\n`.repeat(1 + (i % 4)),
      })),
    );
    repo.push();
    const m = { dir: repo.work, env: { PATH: process.env.PATH }, timeoutMs: 60_000 };
    let held: () => void = () => undefined;
    const reader = new CommitReader(m, shas, 100, () => held());
    const first = await reader.next();
    expect(first.done).toBe(false);
    expect((first.value as GitCommit[]).map((c) => c.commit.sha)).toEqual(shas.slice(0, 100));
    // Not taken further: the reader holds both gits with what it read ahead (2 chunks) and what was in flight,
    // and reads nothing more over the next turns of the event loop (where a pipe's data would arrive).
    // (Asked for after the first chunk is taken, which lets git go on: it cannot hold again before I/O.)
    await new Promise<void>((resolve) => (held = resolve));
    const heldThen = reader.held;
    for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(reader.held).toBe(heldThen);
    expect(heldThen).toBeGreaterThanOrEqual(200);
    expect(heldThen).toBeLessThan(1_500);
    const rest: GitCommit[] = [];
    for await (const chunk of reader) {
      expect(chunk.length).toBe(100);
      rest.push(...chunk);
    }
    const all = [...(first.value as GitCommit[]), ...rest];
    expect(all.map((c) => c.commit.sha)).toEqual(shas);
    // Each as git answers for it alone.
    const truth = repo.numstat();
    for (const c of all) {
      const t = truth.get(c.commit.sha)!;
      expect([c.commit.stats!.additions, c.commit.stats!.deletions, c.files.map((f) => f.filename), c.commit.parents.map((p) => p.sha)]).toEqual([
        t.additions,
        t.deletions,
        t.files,
        t.parents,
      ]);
    }
    for (const i of [0, 1_234, 2_999]) expect(all[i]!.commit.commit.message).toBe(repo.git('cat-file', '-p', shas[i]!).split('\n\n').slice(1).join('\n\n'));
  });

  it('starts with a small chunk and doubles up to the chunk size (the first write need not wait for a whole chunk)', async () => {
    expect(chunkLengths(10_000, 2_000, 250)).toEqual([250, 500, 1_000, 2_000, 2_000, 2_000, 2_000, 250]);
    expect(chunkLengths(300, 2_000, 250)).toEqual([250, 50]);
    expect(chunkLengths(5, 2)).toEqual([2, 2, 1]);
    expect(chunkLengths(0, 2_000, 250)).toEqual([]);
    const { repo, shas } = smallHistory(500);
    const m = { dir: repo.work, env: { PATH: process.env.PATH }, timeoutMs: 60_000 };
    const chunks: string[][] = [];
    const reader = new CommitReader(m, shas, 100, undefined, 25);
    for await (const chunk of reader) chunks.push(chunk.map((c) => c.commit.sha));
    expect(chunks.map((c) => c.length)).toEqual([25, 50, 100, 100, 100, 100, 25]);
    // What the sync asks authors by: the lengths it handed over.
    expect(reader.lengths).toEqual(chunks.map((c) => c.length));
    expect(chunks.flat()).toEqual(shas);
  });

  it('hands nothing more over once closed, and fails the iteration when git fails', async () => {
    const { repo, shas } = smallHistory(500);
    const m = { dir: repo.work, env: { PATH: process.env.PATH }, timeoutMs: 60_000 };
    const reader = new CommitReader(m, shas, 100);
    await reader.next();
    await reader.return();
    expect(await reader.next()).toEqual({ value: undefined, done: true });
    // A sha the repository does not have: git says so, and the iteration fails with it.
    const broken = new CommitReader(m, [...shas.slice(0, 3), 'f'.repeat(40)], 2);
    await expect(
      (async () => {
        for await (const chunk of broken) void chunk;
      })(),
    ).rejects.toBeInstanceOf(TransientError);
  });
});

describe('running git', () => {
  it('runs git with GIT_FLUSH=0: its output is written in full buffers, not a record at a time into the pipe', async () => {
    // An alias run by git's shell sees git's environment.
    const r = { env: { PATH: process.env.PATH }, timeoutMs: 10_000 };
    expect(await gitText(r, ['-c', 'alias.flushing=!printf %s "$GIT_FLUSH"', 'flushing'])).toBe('0');
  });

  it("the time git's output is held is not counted against GIT_TIMEOUT_MS (a reader waiting on writes); git's own time is", async () => {
    const { repo, shas } = smallHistory(50);
    const r = { env: { PATH: process.env.PATH }, timeoutMs: 1_000 };
    const catFile = (flow?: GitFlow) => {
      const out: Buffer[] = [];
      return { out, run: gitStream(r, ['-C', repo.work, 'cat-file', '--batch'], (c) => out.push(c), shas.join('\n') + '\n', flow) };
    };
    try {
      // Held five times as long as git may run, then let go: it completes.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const flow: GitFlow = {};
      const held = catFile(flow);
      flow.pause!();
      vi.advanceTimersByTime(5_000);
      flow.resume!();
      vi.useRealTimers();
      await held.run;
      const cat = new CatFileMessages(shas);
      for (const c of held.out) cat.push(c);
      expect(cat.end().size).toBe(50);
      // Not held: the same time is git's own, and it is stopped.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const running = catFile();
      vi.advanceTimersByTime(5_000);
      vi.useRealTimers();
      await expect(running.run).rejects.toThrow('git cat-file timed out after 1000 ms');
    } finally {
      vi.useRealTimers();
    }
  });

  it('a git that does not stop in time gets SIGTERM first (it can clean up), and the run a TransientError', async () => {
    const { env } = fakeGit(`trap 'echo terminated > "$MARK"; exit 143' TERM\nsleep 30 &\nwait`);
    const err = await gitStream({ env, timeoutMs: 300 }, ['fetch'], () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toBe('git fetch timed out after 300 ms');
    expect(readFileSync(env.MARK!, 'utf8').trim()).toBe('terminated');
  });

  it('a shutdown stops git the same way and rejects with its own reason', async () => {
    const { env } = fakeGit(`trap 'echo terminated > "$MARK"; exit 143' TERM\nsleep 30 &\nwait`);
    const stop = new AbortController();
    const reason = new Error('shutting down');
    const run = gitStream({ env, timeoutMs: 60_000, signal: stop.signal }, ['clone'], () => undefined);
    // The shutdown comes while git runs.
    setImmediate(() => stop.abort(reason));
    await expect(run).rejects.toBe(reason);
  });

  it('git missing is its own error (the one local reason to read the API instead)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'aexy-nogit-'));
    dirs.push(empty);
    await expect(gitText({ env: { PATH: empty }, timeoutMs: 5_000 }, ['--version'])).rejects.toBeInstanceOf(GitMissingError);
  });

  it('a field larger than a string can hold is a clear error, not a crashed worker', async () => {
    // 600 MiB without a NUL: more than V8's longest string (about 512 MiB), which the old maxBuffer let through.
    const { env } = fakeGit(`head -c 629145600 /dev/zero | tr '\\000' 'a'`);
    const parser = new LogParser(['a'.repeat(40)]);
    const err = await gitStream({ env, timeoutMs: 60_000 }, ['log'], (c) => parser.push(c)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/a field of more than \d+ characters/);
    expect(existsSync(env.MARK!)).toBe(false);
  });
});
