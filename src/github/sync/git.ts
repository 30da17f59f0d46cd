import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AppConfig } from '../../config/index.js';
import { TransientError } from '../../errors/index.js';
import type { GhCommitDetail } from '../api/schemas.js';
import { gitStream, gitText, NulTokens, type GitFlow, type GitRunner } from './git-process.js';
import { CatFileMessages, LOG_FORMAT, LogParser, type ParsedCommit } from './git-parse.js';

/**
 * Commits read from git itself: a bare mirror of each tracked repository (GIT_MIRROR_DIR), cloned
 * once and fetched after, so a commit's files and line counts cost no API request. The token never
 * reaches argv or a URL: git gets it as an `http.extraHeader` through GIT_CONFIG_* environment
 * variables, and any text git prints is scrubbed by the job runtime like every error.
 *
 * A mirror holds the branches and tags only (never GitHub's `refs/pull/*`), is fetched from the
 * configured GITHUB_GIT_URL on every run, and is only ever touched by the run holding the
 * repository's commit-stream lock (commit-lock.ts), so a `*.lock` file or a temporary pack found in
 * it is a leftover of a killed git and is removed before fetching.
 */

export interface Mirror extends GitRunner {
  dir: string;
}

/** What the mirror fetches: branches (force-pushes followed, deleted ones pruned) and tags. */
const REFSPECS = ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'];

/** Where the mirror of `repo` (owner/name) lives. */
export function mirrorDir(config: Pick<AppConfig, 'GIT_MIRROR_DIR'>, repo: string): string {
  return join(config.GIT_MIRROR_DIR, `${repo}.git`);
}

/** The mirror's object store size, in bytes (loose and packed objects, as `git count-objects` reports it; 0 if git cannot say). */
export async function mirrorBytes(m: Mirror): Promise<number> {
  const out = await gitText(m, ['-C', m.dir, 'count-objects', '-v']).catch(() => '');
  const kib = (key: string) => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(out)?.[1] ?? 0);
  return (kib('size') + kib('size-pack')) * 1024;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Lock files and temporary packs a killed git leaves behind; with the stream's lock held, none is in use. */
async function removeLeftovers(dir: string): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const full = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name.startsWith('incoming-') || e.name.startsWith('tmp_')) {
          await rm(full, { recursive: true, force: true });
          removed.push(full);
        } else await walk(full);
      } else if (e.name.endsWith('.lock') || e.name.startsWith('tmp_pack_') || e.name.startsWith('tmp_idx_') || e.name.startsWith('tmp_obj_')) {
        await rm(full, { force: true });
        removed.push(full);
      }
    }
  };
  await walk(dir);
  return removed;
}

/**
 * The up-to-date bare mirror of `repo`: cloned (`git clone --bare`, branches and tags, into a
 * temporary directory renamed into place, so a half-made clone is never used) or fetched
 * (`--prune`, so force-pushed and deleted branches follow GitHub's). Throws GitMissingError or
 * GitRemoteRefusedError when the API should be read instead, TransientError for anything else.
 */
export async function openMirror(config: AppConfig, repo: string, token: string | undefined, signal?: AbortSignal): Promise<Mirror> {
  const dir = mirrorDir(config, repo);
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
  if (await exists(join(dir, 'HEAD'))) {
    await removeLeftovers(dir);
    // The remote is the configured one, whatever the mirror was cloned from.
    await gitText(mirror, ['-C', dir, 'config', 'remote.origin.url', url]);
    await gitText(mirror, ['-C', dir, 'config', '--replace-all', 'remote.origin.fetch', REFSPECS[0]!]);
    await gitText(mirror, ['-C', dir, 'fetch', '--quiet', '--prune', '--no-tags', 'origin', ...REFSPECS]);
    return mirror;
  }
  await mkdir(dirname(dir), { recursive: true });
  const temp = `${dir}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // A bare clone takes the branches and tags; the remote's URL and refspec are set before each later fetch.
    await gitText(mirror, ['clone', '--quiet', '--bare', url, temp]);
    // Another worker may have put its clone in place meanwhile: theirs is as good.
    await rename(temp, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (!(await exists(join(dir, 'HEAD')))) throw err;
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return mirror;
}

/** The directories one level under each owner of GIT_MIRROR_DIR: `{owner, name, path}`. */
async function mirrorDirEntries(config: Pick<AppConfig, 'GIT_MIRROR_DIR'>): Promise<{ owner: string; name: string; path: string }[]> {
  const out: { owner: string; name: string; path: string }[] = [];
  for (const owner of await readdir(config.GIT_MIRROR_DIR, { withFileTypes: true }).catch(() => [])) {
    if (!owner.isDirectory()) continue;
    const ownerDir = join(config.GIT_MIRROR_DIR, owner.name);
    for (const e of await readdir(ownerDir, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) out.push({ owner: owner.name, name: e.name, path: join(ownerDir, e.name) });
    }
  }
  return out;
}

/**
 * Temporary clones left by a process killed mid-clone (`<name>.git.<hex>.tmp`) older than
 * `olderThanMs`: removed. Returns the paths removed.
 */
export async function sweepTempClones(config: Pick<AppConfig, 'GIT_MIRROR_DIR'>, olderThanMs: number, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const e of await mirrorDirEntries(config)) {
    if (!/\.git\.[0-9a-f]{12}\.tmp$/.test(e.name)) continue;
    const s = await stat(e.path).catch(() => null);
    if (s && now - s.mtimeMs >= olderThanMs) {
      await rm(e.path, { recursive: true, force: true });
      removed.push(e.path);
    }
  }
  return removed;
}

/** The repositories (owner/name) that have a mirror on disk. */
export async function mirroredRepositories(config: Pick<AppConfig, 'GIT_MIRROR_DIR'>): Promise<string[]> {
  return (await mirrorDirEntries(config))
    .filter((e) => e.name.endsWith('.git'))
    .map((e) => `${e.owner}/${e.name.slice(0, -4)}`)
    .sort();
}

/** The sha a branch of the mirror points at, or null. */
export async function mirrorHead(m: Mirror, branch: string): Promise<string | null> {
  const out = await gitText(m, ['-C', m.dir, 'rev-parse', '--verify', '-q', `refs/heads/${branch}^{commit}`]).catch(() => '');
  return out.trim() || null;
}

/** Does the mirror hold this commit? (A head force-pushed away may be gone.) */
export async function hasCommit(m: Mirror, sha: string): Promise<boolean> {
  return gitText(m, ['-C', m.dir, 'cat-file', '-e', `${sha}^{commit}`]).then(
    () => true,
    () => false,
  );
}

/**
 * `git rev-list --reverse include ^exclude…`: oldest first. With `since`, the commits whose
 * committer date is at or after it, filtered here from the whole listing: git's own `--since`
 * stops walking at the first few older commits, so one commit with an old date would hide all the
 * history behind it.
 */
export async function revList(m: Mirror, include: string, exclude: string[] = [], since?: Date | null): Promise<string[]> {
  const out = await gitText(m, ['-C', m.dir, 'rev-list', '--reverse', ...(since ? ['--timestamp'] : []), include, ...exclude.map((e) => `^${e}`)]);
  const lines = out.split('\n').filter(Boolean);
  if (!since) return lines;
  const floor = Math.floor(since.getTime() / 1000);
  return lines.flatMap((l) => {
    const [ts, sha] = l.split(' ');
    return Number(ts) >= floor ? [sha!] : [];
  });
}

/**
 * revList's commits (oldest first; with `since`, filtered the same way) with each one's author email
 * as git holds it, sha → email in that order: one `git log --reverse -z` walk, fields closed by NUL
 * (which no email holds) and read by position, each sha and time checked.
 */
export async function revListEmails(m: Mirror, include: string, exclude: string[] = [], since?: Date | null): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const floor = since ? Math.floor(since.getTime() / 1000) : -Infinity;
  let fields: string[] = [];
  const take = (token: string) => {
    fields.push(token);
    if (fields.length < 3) return;
    const [sha, time, email] = fields as [string, string, string];
    fields = [];
    if (!/^[0-9a-f]{40}$/.test(sha) || !/^\d+$/.test(time))
      throw new TransientError(`git log gave ${JSON.stringify(sha.slice(0, 40))} where a commit was expected`);
    if (Number(time) >= floor) out.set(sha, email);
  };
  const tokens = new NulTokens(take);
  await gitStream(m, ['-C', m.dir, 'log', '--reverse', '-z', '--format=%H%x00%ct%x00%ae', include, ...exclude.map((e) => `^${e}`), '--'], (c) =>
    tokens.push(c),
  );
  // `-z` separates commits with a NUL: the last email ends the output instead.
  if (fields.length === 2) take(tokens.rest());
  if (fields.length !== 0) throw new TransientError('git log output ended inside a commit');
  return out;
}

/**
 * The commits of `head`'s first-parent line, newest first, with their committer times: each is a
 * change that landed on the branch (a merge, or a commit pushed or rebased onto it). With `since`,
 * those committed at or after it, filtered from the whole line (as revList does).
 */
export async function firstParentLine(m: Mirror, head: string, since?: Date | null): Promise<{ sha: string; committedAt: Date }[]> {
  const out = await gitText(m, ['-C', m.dir, 'rev-list', '--first-parent', '--timestamp', head]);
  const floor = since ? Math.floor(since.getTime() / 1000) : -Infinity;
  return out
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      const [ts, sha] = l.split(' ');
      return Number(ts) >= floor ? [{ sha: sha!, committedAt: new Date(Number(ts) * 1000) }] : [];
    });
}

/**
 * The tags of the mirror that point at a commit: name, the commit, and when the tag was made (an
 * annotated tag's tagger date, a lightweight tag's commit date). Fields are separated by NUL, which
 * no ref name or sha holds.
 */
export async function commitTags(m: Mirror): Promise<{ name: string; sha: string; at: Date }[]> {
  const out = await gitText(m, [
    '-C',
    m.dir,
    'for-each-ref',
    '--format=%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(creatordate:unix)',
    'refs/tags',
  ]);
  return out
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const [name, type, sha, peeledType, peeled, at] = line.split('\0');
      if (type === 'commit') return [{ name: name!, sha: sha!, at: new Date(Number(at) * 1000) }];
      if (type === 'tag' && peeledType === 'commit') return [{ name: name!, sha: peeled!, at: new Date(Number(at) * 1000) }];
      return [];
    });
}

/** One commit as git holds it, in the shape GitHub's REST detail has (so both paths write the same rows). */
export type GitCommit = { commit: GhCommitDetail; files: NonNullable<GhCommitDetail['files']> };

/** The shape GitHub's REST detail has, from what git said of a commit. */
function asDetail(c: ParsedCommit, message: string): GitCommit {
  let additions = 0;
  let deletions = 0;
  for (const f of c.files) {
    additions += f.additions;
    deletions += f.deletions;
  }
  return {
    commit: {
      sha: c.sha,
      commit: {
        message,
        author: { name: c.authorName, email: c.authorEmail, date: c.authorDate },
        committer: { name: c.committerName, email: c.committerEmail, date: c.committerDate },
      },
      author: null,
      committer: null,
      parents: c.parents.map((p) => ({ sha: p })),
      stats: { additions, deletions, total: null },
      files: c.files,
    },
    files: c.files,
  };
}

/** Chunks of commits a reader holds, read ahead, before it holds git. */
const READ_AHEAD = 2;

/**
 * The lengths of the chunks `total` commits are handed over in: `first`, then each twice the last,
 * up to `size`, the rest `size` each (the last what is left). A small first chunk is written while
 * git reads the next, larger ones, instead of the writes waiting for a whole `size` to be read.
 */
export function chunkLengths(total: number, size: number, first = size): number[] {
  const out: number[] = [];
  for (let at = 0, next = Math.max(1, Math.min(first, size)); at < total; next = Math.min(size, next * 2)) {
    out.push(Math.min(next, total - at));
    at += out.at(-1)!;
  }
  return out;
}

/**
 * The commits `shas` as git holds them, in the order given, handed over in chunks (chunkLengths:
 * `first`, doubling up to `size`): their metadata, messages and files as GitHub reports them (the
 * diff against the first parent, a root commit's against nothing, a merge's against its first
 * parent; renames detected with `-M`, under the new path; binary files 0/0). One `git log` for
 * metadata and files and one `git cat-file --batch` for the messages read all of them, each started
 * once (a process start costs the event loop milliseconds), both parsed as they stream
 * (git-parse.ts). Git is held (its output paused: it blocks on a full pipe) while READ_AHEAD
 * chunks' worth waits to be taken, so memory stays bounded however long the history. Iterate to
 * the end, or `close()` to stop both.
 */
export class CommitReader implements AsyncIterableIterator<GitCommit[]> {
  private readonly stop = new AbortController();
  private readonly logFlow: GitFlow = {};
  private readonly catFlow: GitFlow = {};
  private readonly parsed: ParsedCommit[] = [];
  private readonly messages: string[] = [];
  private parsedHead = 0;
  private messagesHead = 0;
  private readonly ready: GitCommit[][] = [];
  private pending: GitCommit[] = [];
  /** The length of each chunk it hands over, in order (chunkLengths). */
  readonly lengths: number[];
  /** Chunks made so far. */
  private chunks = 0;
  private finished = 0;
  private failure: unknown;
  private wake: (() => void) | null = null;
  private holding = { log: false, cat: false };
  private closed = false;

  /** `onHold`: called each time the reader has held both gits (diagnostics, tests); `first`: the first chunk's length. */
  constructor(
    m: Mirror,
    shas: string[],
    private readonly size: number,
    private readonly onHold?: () => void,
    first = size,
  ) {
    this.lengths = chunkLengths(shas.length, size, first);
    if (shas.length === 0) {
      // `git log --stdin` given nothing would show HEAD.
      this.finished = 2;
      return;
    }
    const r: Mirror = { ...m, signal: m.signal ? AbortSignal.any([m.signal, this.stop.signal]) : this.stop.signal };
    const log = new LogParser(shas, (c) => {
      this.parsed.push(c);
      this.join();
    });
    const cat = new CatFileMessages(shas, (_sha, message) => {
      this.messages.push(message);
      this.join();
    });
    const run = (p: Promise<void>, end: () => void) =>
      p.then(end).then(
        () => {
          this.finished += 1;
          this.join();
        },
        (err: unknown) => {
          this.failure ??= err;
          this.stop.abort(err);
          this.wake?.();
        },
      );
    const stdin = shas.join('\n') + '\n';
    void run(
      gitStream(
        r,
        ['-C', m.dir, 'log', '--no-walk=unsorted', '--stdin', '--diff-merges=first-parent', '--root', '-M', '--numstat', '-z', `--format=${LOG_FORMAT}`],
        (c) => log.push(c),
        stdin,
        this.logFlow,
      ),
      () => log.end(),
    );
    void run(
      // --buffer: without it cat-file flushes after every object (written for a reader that asks one at a time).
      gitStream(r, ['-C', m.dir, 'cat-file', '--batch', '--buffer'], (c) => cat.push(c), stdin, this.catFlow),
      () => cat.end(),
    );
  }

  /** Pairs what both have read, in order (the parsers check each answer is the sha asked next); holds whichever is ahead. */
  private join(): void {
    while (this.parsedHead < this.parsed.length && this.messagesHead < this.messages.length) {
      const c = this.parsed[this.parsedHead]!;
      this.pending.push(asDetail(c, this.messages[this.messagesHead]!));
      this.parsedHead += 1;
      this.messagesHead += 1;
      if (this.pending.length === this.lengths[this.chunks]) {
        this.ready.push(this.pending);
        this.pending = [];
        this.chunks += 1;
      }
    }
    // Taken entries are dropped now and then, not one by one (shifting an array is linear).
    if (this.parsedHead > this.size) {
      this.parsed.splice(0, this.parsedHead);
      this.parsedHead = 0;
    }
    if (this.messagesHead > this.size) {
      this.messages.splice(0, this.messagesHead);
      this.messagesHead = 0;
    }
    if (this.finished === 2 && this.pending.length > 0) {
      this.ready.push(this.pending);
      this.pending = [];
    }
    const limit = READ_AHEAD * this.size - this.joined();
    const before = this.holding.log && this.holding.cat;
    this.holding = { log: this.parsed.length - this.parsedHead >= limit, cat: this.messages.length - this.messagesHead >= limit };
    if (this.holding.log) this.logFlow.pause?.();
    else this.logFlow.resume?.();
    if (this.holding.cat) this.catFlow.pause?.();
    else this.catFlow.resume?.();
    if (!before && this.holding.log && this.holding.cat && this.finished < 2) this.onHold?.();
    this.wake?.();
  }

  /** Commits paired and not handed over yet. */
  private joined(): number {
    let n = this.pending.length;
    for (const chunk of this.ready) n += chunk.length;
    return n;
  }

  /** Commits read from git and not handed over yet (the larger count of the two gits'). */
  get held(): number {
    return this.joined() + Math.max(this.parsed.length - this.parsedHead, this.messages.length - this.messagesHead);
  }

  async next(): Promise<IteratorResult<GitCommit[]>> {
    for (;;) {
      if (this.closed) return { value: undefined, done: true };
      if (this.failure !== undefined) throw this.failure;
      const chunk = this.ready.shift();
      if (chunk) {
        this.join();
        return { value: chunk, done: false };
      }
      if (this.finished === 2) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  /** Stop both gits (a reader not iterated to its end); it hands nothing more over. */
  close(): void {
    this.closed = true;
    this.stop.abort(new Error('the commit reader was closed'));
    this.wake?.();
  }

  async return(): Promise<IteratorResult<GitCommit[]>> {
    this.close();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
