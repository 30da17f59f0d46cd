// A git repository built from code, for the tests and the bench (not used in production paths).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A real git repository built by a test: a bare repository plays GitHub's copy (the stand-in serves
 * it), a work tree commits and pushes to it. Dates and identities are set per commit, so a test can
 * make branches whose commits are older than the main line they are merged into.
 */
export interface Person {
  name: string;
  email: string;
}

export class GitRepo {
  readonly root = mkdtempSync(join(tmpdir(), 'aexy-git-'));
  readonly bare = join(this.root, 'origin.git');
  readonly work = join(this.root, 'work');

  constructor(readonly defaultBranch = 'main') {
    execFileSync('git', ['init', '-q', '--bare', `--initial-branch=${defaultBranch}`, this.bare]);
    execFileSync('git', ['init', '-q', `--initial-branch=${defaultBranch}`, this.work]);
    this.git('remote', 'add', 'origin', this.bare);
    this.git('config', 'commit.gpgsign', 'false');
  }

  /** Run git in the work tree (or `cwd`), with a fixed identity and date unless given. */
  git(...args: string[]): string {
    return this.gitIn(this.work, args);
  }

  /** Run git in the bare repository (GitHub's side). */
  origin(...args: string[]): string {
    return this.gitIn(this.bare, args);
  }

  /** Run git in any directory (a mirror under test), with the same environment. */
  gitIn(cwd: string, args: string[], env: Record<string, string> = {}): string {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: this.root,
        GIT_AUTHOR_NAME: 'Nobody',
        GIT_AUTHOR_EMAIL: 'nobody@example.com',
        GIT_COMMITTER_NAME: 'Nobody',
        GIT_COMMITTER_EMAIL: 'nobody@example.com',
        ...env,
      },
    });
  }

  write(path: string, content: string | Buffer): void {
    const full = join(this.work, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }

  /** Stage everything and commit as `who` at `date` (author and committer date alike unless `committerDate`). */
  commit(who: Person, date: string, message: string, opts: { committer?: Person; committerDate?: string } = {}): string {
    this.git('add', '-A');
    this.gitIn(this.work, ['commit', '-q', '--allow-empty', '-m', message], this.env(who, date, opts));
    return this.git('rev-parse', 'HEAD').trim();
  }

  /** Commit with a message kept byte for byte (`--cleanup=verbatim`, read from standard input): any text but NUL. */
  commitVerbatim(who: Person, date: string, message: string, opts: { committer?: Person; committerDate?: string } = {}): string {
    this.git('add', '-A');
    execFileSync('git', ['commit', '-q', '--allow-empty', '--cleanup=verbatim', '-F', '-'], {
      cwd: this.work,
      input: message,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: this.root, ...this.env(who, date, opts) },
    });
    return this.git('rev-parse', 'HEAD').trim();
  }

  /**
   * Ground truth of one commit of GitHub's copy, each part from its own git command (nothing parsed
   * out of a shared stream): the message (`%B`, trailing line feeds dropped), the files changed
   * against the first parent (`--name-only -z`, renames by their new path), lines added and deleted
   * (`--shortstat`, binary files 0), the author's email, name and date.
   */
  commitTruth(sha: string): {
    message: string;
    files: string[];
    additions: number;
    deletions: number;
    authorEmail: string;
    authorName: string;
    authorDate: string;
  } {
    const parents = this.origin('rev-list', '--parents', '-n', '1', sha).trim().split(' ').slice(1);
    const base = parents[0] ?? '4b825dc642cb6eb9a060e54bf8d69288fbee4904'; // the empty tree
    const files = this.origin('diff', '-M', '--name-only', '-z', base, sha).split('\0').filter(Boolean);
    const stat = this.origin('diff', '-M', '--shortstat', base, sha);
    const [authorEmail, authorName, authorDate] = this.origin('log', '-1', '--format=%ae%n%an%n%aI', sha).split('\n');
    return {
      message: this.origin('log', '-1', '--format=%B', sha).replace(/(?:\r?\n)+$/, ''),
      files: files.sort(),
      additions: Number(/(\d+) insertion/.exec(stat)?.[1] ?? 0),
      deletions: Number(/(\d+) deletion/.exec(stat)?.[1] ?? 0),
      authorEmail: authorEmail!.toLowerCase(),
      authorName: authorName!,
      authorDate: new Date(authorDate!).toISOString(),
    };
  }

  /**
   * Many commits at once, on the checked-out branch in the order given, each writing one file: `git
   * fast-import` (a second for thousands, where a commit per process takes minutes). Returns their shas.
   */
  importCommits(commits: { who: Person; date: string; message: string; path: string; content: string }[]): string[] {
    const branch = this.git('symbolic-ref', 'HEAD').trim();
    let parent = '';
    try {
      parent = this.git('rev-parse', '--verify', '-q', 'HEAD^{commit}').trim();
    } catch {
      // A branch without commits yet: the first imported commit is a root.
    }
    const chunks: Buffer[] = [];
    const data = (text: string) => {
      const b = Buffer.from(text);
      chunks.push(Buffer.from(`data ${b.length}\n`), b, Buffer.from('\n'));
    };
    commits.forEach((c, i) => {
      const ident = `${c.who.name} <${c.who.email}> ${Math.floor(Date.parse(c.date) / 1000)} +0000`;
      chunks.push(Buffer.from(`commit ${branch}\nmark :${i + 1}\nauthor ${ident}\ncommitter ${ident}\n`));
      data(c.message);
      if (i === 0 && parent) chunks.push(Buffer.from(`from ${parent}\n`));
      chunks.push(Buffer.from(`M 100644 inline ${c.path}\n`));
      data(c.content);
    });
    const marks = join(this.root, 'import-marks');
    execFileSync('git', ['fast-import', '--quiet', `--export-marks=${marks}`], { cwd: this.work, input: Buffer.concat(chunks), maxBuffer: 1 << 28 });
    this.git('reset', '-q', '--hard');
    const shas = new Map(
      readFileSync(marks, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ') as [string, string]),
    );
    return commits.map((_, i) => shas.get(`:${i + 1}`)!);
  }

  /** A merge commit (never a fast-forward) of `branch` into the checked-out branch. */
  merge(branch: string, who: Person, date: string, message = `Merge branch '${branch}'`): string {
    this.gitIn(this.work, ['merge', '-q', '--no-ff', '--no-edit', '-m', message, branch], this.env(who, date, {}));
    return this.git('rev-parse', 'HEAD').trim();
  }

  private env(who: Person, date: string, opts: { committer?: Person; committerDate?: string }): Record<string, string> {
    const committer = opts.committer ?? who;
    return {
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: committer.name,
      GIT_COMMITTER_EMAIL: committer.email,
      GIT_COMMITTER_DATE: opts.committerDate ?? date,
    };
  }

  push(branch = this.defaultBranch, force = false): void {
    this.git('push', '-q', ...(force ? ['--force'] : []), 'origin', `${branch}:${branch}`);
  }

  /** Make `branch` GitHub's default branch. */
  setDefaultBranch(branch: string): void {
    this.origin('symbolic-ref', 'HEAD', `refs/heads/${branch}`);
  }

  /** Ground truth: `git rev-list` of a branch of GitHub's copy. */
  revList(branch = this.defaultBranch, extra: string[] = []): string[] {
    return this.origin('rev-list', ...extra, branch)
      .split('\n')
      .filter(Boolean)
      .sort();
  }

  /**
   * Ground truth: `git log --numstat` of GitHub's copy, per commit: its parents, author email, and
   * lines added and deleted (a merge's against its first parent, as GitHub reports it; binary files 0).
   */
  numstat(branch = this.defaultBranch): Map<string, { parents: string[]; email: string; additions: number; deletions: number; files: string[] }> {
    const out = this.origin('log', '--numstat', '-M', '--diff-merges=first-parent', '--format=%x01%H %P%x02%ae', branch);
    const commits = new Map<string, { parents: string[]; email: string; additions: number; deletions: number; files: string[] }>();
    for (const block of out.split('\x01').filter(Boolean)) {
      const [head, ...lines] = block.split('\n');
      const [shas, email] = head!.split('\x02');
      const [sha, ...parents] = shas!.trim().split(' ');
      const c = { parents: parents.filter(Boolean), email: email!.toLowerCase(), additions: 0, deletions: 0, files: [] as string[] };
      for (const line of lines.filter(Boolean)) {
        const [a, d, path] = line.split('\t');
        c.additions += a === '-' ? 0 : Number(a);
        c.deletions += d === '-' ? 0 : Number(d);
        // A rename prints "old => new" or "dir/{old => new}/file"; GitHub names the new path.
        c.files.push(
          path!
            .replace(/\{[^{}]* => ([^{}]*)\}/, '$1')
            .replace(/^.* => /, '')
            .replace(/\/\//g, '/'),
        );
      }
      commits.set(sha!, c);
    }
    return commits;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
