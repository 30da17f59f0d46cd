import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AppConfig } from '../config/index.js';
import { TransientError } from '../errors/index.js';
import type { GhCommitDetail } from '../github/schemas.js';

/**
 * Commits read from git itself: a bare mirror of each tracked repository (GIT_MIRROR_DIR), cloned
 * once and fetched after, so a commit's files and line counts cost no API request. The token never
 * reaches argv or a URL: git gets it as an `http.extraHeader` through GIT_CONFIG_* environment
 * variables, and any text git prints is scrubbed by the job runtime like every error.
 */

export interface Mirror {
  dir: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Its size on disk (loose and packed objects), as `git count-objects` reports it. */
  bytes?: number;
}

/** The mirror's object store size, in bytes. */
async function mirrorBytes(m: Mirror): Promise<number> {
  const out = await run(m, ['-C', m.dir, 'count-objects', '-v']).catch(() => '');
  const kib = (key: string) => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(out)?.[1] ?? 0);
  return (kib('size') + kib('size-pack')) * 1024;
}

const RECORD = '\x1e\x1fAEXY\x1f';
const FORMAT = `${RECORD}%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x00`;

function run(m: Pick<Mirror, 'env' | 'timeoutMs' | 'signal'>, args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, env: m.env, timeout: m.timeoutMs, signal: m.signal, maxBuffer: 1024 * 1024 * 1024, encoding: 'utf8', killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        // Stopped by a shutdown: the shutdown's own reason, so the job is parked, not failed.
        if (m.signal?.aborted) return reject(m.signal.reason);
        const why = String(stderr || err.message)
          .trim()
          .slice(0, 1_000);
        reject(new TransientError(`git ${args[0] === '-C' ? args[2] : args[0]} failed: ${why}`));
      },
    );
  });
}

/**
 * The up-to-date bare mirror of `repo` (owner/name): cloned (`git clone --mirror`, into a temp
 * directory renamed into place, so a half-made clone is never used) or fetched (`--prune`, so
 * force-pushed and deleted branches follow GitHub's).
 */
export async function openMirror(config: AppConfig, repo: string, token: string | undefined, signal?: AbortSignal): Promise<Mirror> {
  const dir = join(config.GIT_MIRROR_DIR, `${repo}.git`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    ...(token
      ? {
          GIT_CONFIG_COUNT: '1',
          GIT_CONFIG_KEY_0: 'http.extraHeader',
          GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
        }
      : {}),
  };
  const mirror: Mirror = { dir, env, timeoutMs: config.GIT_TIMEOUT_MS, signal };
  const url = `${config.GITHUB_GIT_URL.replace(/\/$/, '')}/${repo}.git`;
  const exists = await access(join(dir, 'HEAD')).then(
    () => true,
    () => false,
  );
  if (exists) {
    await run(mirror, ['-C', dir, 'fetch', '--quiet', '--prune', 'origin', '+refs/heads/*:refs/heads/*']);
    mirror.bytes = await mirrorBytes(mirror);
    return mirror;
  }
  await mkdir(dirname(dir), { recursive: true });
  const temp = `${dir}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await run(mirror, ['clone', '--quiet', '--mirror', url, temp]);
    // Another worker may have put its clone in place meanwhile: theirs is as good.
    await rename(temp, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (
        !(await access(join(dir, 'HEAD')).then(
          () => true,
          () => false,
        ))
      )
        throw err;
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  mirror.bytes = await mirrorBytes(mirror);
  return mirror;
}

/** The sha a branch of the mirror points at, or null. */
export async function mirrorHead(m: Mirror, branch: string): Promise<string | null> {
  const out = await run(m, ['-C', m.dir, 'rev-parse', '--verify', '-q', `refs/heads/${branch}^{commit}`]).catch(() => '');
  return out.trim() || null;
}

/** Does the mirror hold this commit? (A head force-pushed away may be gone.) */
export async function hasCommit(m: Mirror, sha: string): Promise<boolean> {
  return run(m, ['-C', m.dir, 'cat-file', '-e', `${sha}^{commit}`]).then(
    () => true,
    () => false,
  );
}

/** `git rev-list --reverse include ^exclude…` (optionally `--since`): oldest first. */
export async function revList(m: Mirror, include: string, exclude: string[] = [], since?: Date | null): Promise<string[]> {
  const out = await run(m, [
    '-C',
    m.dir,
    'rev-list',
    '--reverse',
    ...(since ? [`--since=${since.toISOString()}`] : []),
    include,
    ...exclude.map((e) => `^${e}`),
  ]);
  return out.split('\n').filter(Boolean);
}

/** One commit as git holds it, in the shape GitHub's REST detail has (so both paths write the same rows). */
export type GitCommit = { commit: GhCommitDetail; files: NonNullable<GhCommitDetail['files']> };

const iso = (d: string) => new Date(d).toISOString().replace('.000Z', 'Z');

/**
 * The commits' metadata and files, as GitHub reports them: the diff against the first parent (a
 * root commit's against nothing, a merge's against its first parent), renames detected (`-M`, the
 * new path), binary files 0/0. One `git log` per 200 commits.
 */
export async function readCommits(m: Mirror, shas: string[]): Promise<GitCommit[]> {
  const out: GitCommit[] = [];
  for (let i = 0; i < shas.length; i += 200) {
    const text = await run(m, [
      '-C',
      m.dir,
      'log',
      '--no-walk=unsorted',
      '--diff-merges=first-parent',
      '--root',
      '-M',
      '--numstat',
      '-z',
      `--format=${FORMAT}`,
      ...shas.slice(i, i + 200),
    ]);
    for (const record of text.split(RECORD).slice(1)) out.push(parseRecord(record));
  }
  return out;
}

/**
 * One record: the nine format fields (a root commit's parents are empty; a message holds no NUL),
 * the format's closing NUL, then git's own NUL and a line feed before the numstat entries, each
 * `add\tdel\tpath` NUL-terminated, or for a rename `add\tdel\t` NUL old NUL new NUL.
 */
function parseRecord(record: string): GitCommit {
  const parts = record.split('\0');
  const [sha, parents, authorName, authorEmail, authorDate, committerName, committerEmail, committerDate, body] = parts;
  const files: GitCommit['files'] = [];
  const tokens = parts.slice(10);
  if (tokens.length) tokens[0] = tokens[0]!.replace(/^\n/, '');
  for (let i = 0; i < tokens.length;) {
    const t = tokens[i]!;
    if (t === '') {
      i += 1;
      continue;
    }
    const [add, del, path] = t.split('\t');
    const additions = add === '-' ? 0 : Number(add);
    const deletions = del === '-' ? 0 : Number(del);
    if (path === '') {
      files.push({ filename: tokens[i + 2]!, previous_filename: tokens[i + 1]!, status: 'renamed', additions, deletions });
      i += 3;
    } else {
      files.push({ filename: path!, status: 'modified', additions, deletions });
      i += 1;
    }
  }
  const message = (body ?? '').replace(/\n$/, '');
  return {
    commit: {
      sha: sha!,
      commit: {
        message,
        author: { name: authorName, email: authorEmail, date: iso(authorDate!) },
        committer: { name: committerName, email: committerEmail, date: iso(committerDate!) },
      },
      author: null,
      committer: null,
      parents: parents!
        .split(' ')
        .filter(Boolean)
        .map((p) => ({ sha: p })),
      stats: { additions: files.reduce((s, f) => s + f.additions, 0), deletions: files.reduce((s, f) => s + f.deletions, 0), total: null },
      files,
    },
    files,
  };
}
