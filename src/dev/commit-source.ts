// Where the GitHub stand-in reads a repository's commits from (not used in production paths).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One commit as git holds it, with GitHub's per-file numbers (diff against the first parent). */
export interface CommitRecord {
  sha: string;
  parents: string[];
  message: string;
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerName: string;
  committerEmail: string;
  committerDate: string;
  files: { filename: string; previous_filename?: string; status: string; additions: number; deletions: number }[];
}

/** What a commit list shows of a commit (GitHub lists commits without their files). */
export type CommitSummary = Omit<CommitRecord, 'files'>;

/**
 * The commit graph behind one repository of the stand-in. Two sources: a real git repository
 * (every answer computed by git from its objects, so a test's ground truth is git itself) and an
 * in-memory list for the demo and the older fixture tests.
 */
export interface CommitSource {
  defaultBranch(): Promise<string>;
  /** The sha a branch points at, or null for an unknown branch (or an empty repository). */
  branchHead(branch: string): Promise<string | null>;
  /** A branch name or a full sha → sha, or null. */
  resolve(ref: string): Promise<string | null>;
  /** Commits reachable from `head` in `git log` order (newest committer date first), optionally `--since`. */
  list(head: string, since?: string): Promise<string[]>;
  detail(sha: string): Promise<CommitRecord | null>;
  /** Several commits without their files, in the order given (a list page: one git call, not three per commit). */
  summaries(shas: string[]): Promise<CommitSummary[]>;
  /** Those of `shas` that are commits of the repository (one git call for all of them). */
  existing(shas: string[]): Promise<string[]>;
  /** `git rev-list include ^exclude`, oldest first (GitHub's compare order). */
  range(exclude: string, include: string): Promise<string[]>;
  mergeBase(a: string, b: string): Promise<string | null>;
}

/** A bare (or non-bare) git repository on disk; every answer comes from the git CLI. */
export class GitCommitSource implements CommitSource {
  private readonly details = new Map<string, CommitRecord>();
  // A commit, and so its history, never changes: what git answered about a sha is kept (as GitHub
  // answers a page from what it holds, not by running git), so the stand-in's own cost does not
  // weigh on what a test or the bench measures of the sync.
  private readonly summaryOf = new Map<string, CommitSummary>();
  private readonly lists = new Map<string, string[]>();
  constructor(readonly dir: string) {}

  private async git(args: string[]): Promise<string> {
    const { stdout } = await run('git', ['-C', this.dir, ...args], { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
    return stdout;
  }

  async defaultBranch(): Promise<string> {
    return (await this.git(['symbolic-ref', '--short', 'HEAD'])).trim();
  }

  async branchHead(branch: string): Promise<string | null> {
    try {
      return (await this.git(['rev-parse', '--verify', '-q', `refs/heads/${branch}^{commit}`])).trim() || null;
    } catch {
      return null;
    }
  }

  async resolve(ref: string): Promise<string | null> {
    if (/^[0-9a-f]{40}$/.test(ref)) {
      if (this.summaryOf.has(ref)) return ref;
      try {
        await this.git(['cat-file', '-e', `${ref}^{commit}`]);
        return ref;
      } catch {
        return null;
      }
    }
    return this.branchHead(ref);
  }

  async list(head: string, since?: string): Promise<string[]> {
    const key = `${head} ${since ?? ''}`;
    const known = this.lists.get(key);
    if (known) return known;
    const out = (await this.git(['rev-list', ...(since ? [`--since=${since}`] : []), head])).split('\n').filter(Boolean);
    if (/^[0-9a-f]{40}$/.test(head)) this.lists.set(key, out);
    return out;
  }

  async range(exclude: string, include: string): Promise<string[]> {
    const out = await this.git(['rev-list', '--reverse', include, `^${exclude}`]);
    return out.split('\n').filter(Boolean);
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    try {
      return (await this.git(['merge-base', a, b])).trim() || null;
    } catch {
      return null;
    }
  }

  async existing(shas: string[]): Promise<string[]> {
    const unknown = shas.filter((sha) => !this.summaryOf.has(sha));
    if (unknown.length === 0) return shas;
    // `<sha> commit` for a commit, `<sha> missing` (or another type) otherwise; no name reaches git's argv.
    const out = await new Promise<string>((resolve, reject) => {
      const child = execFile('git', ['-C', this.dir, 'cat-file', '--batch-check=%(objectname) %(objecttype)'], { encoding: 'utf8' }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      );
      child.stdin!.end(unknown.join('\n') + '\n');
    });
    const commits = new Set(out.split('\n').flatMap((l) => (l.endsWith(' commit') ? [l.slice(0, -' commit'.length)] : [])));
    return shas.filter((sha) => this.summaryOf.has(sha) || commits.has(sha));
  }

  async summaries(shas: string[]): Promise<CommitSummary[]> {
    const missing = [...new Set(shas.filter((sha) => !this.summaryOf.has(sha)))];
    if (missing.length > 0) for (const [i, s] of (await this.read(missing)).entries()) this.summaryOf.set(missing[i]!, s);
    return shas.map((sha) => this.summaryOf.get(sha)!);
  }

  private async read(shas: string[]): Promise<CommitSummary[]> {
    // Idents and dates: eight NUL-closed fields a commit (-z), none of which can hold a NUL.
    const fields = (await this.git(['log', '--no-walk=unsorted', '-z', `--format=${IDENT_FORMAT}`, ...shas])).split('\0');
    const messages = await this.messages(shas);
    return shas.map((sha, i) => {
      const f = fields.slice(i * 8, i * 8 + 8);
      if (f[0] !== sha) throw new Error(`stand-in: git log out of step at ${sha}`);
      return summaryOf(f, messages.get(sha)!);
    });
  }

  /** Messages from the commit objects themselves (`git cat-file --batch`: each object cut by its byte size). */
  private async messages(shas: string[]): Promise<Map<string, string>> {
    const { stdout } = await new Promise<{ stdout: Buffer }>((resolve, reject) => {
      const child = execFile('git', ['-C', this.dir, 'cat-file', '--batch'], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 }, (err, out) =>
        err ? reject(err) : resolve({ stdout: out }),
      );
      child.stdin!.end(shas.join('\n') + '\n');
    });
    const out = new Map<string, string>();
    let at = 0;
    for (const sha of shas) {
      const lf = stdout.indexOf(0x0a, at);
      const [got, type, size] = stdout.subarray(at, lf).toString('latin1').split(' ');
      if (got !== sha || type !== 'commit') throw new Error(`stand-in: cat-file out of step at ${sha}`);
      const object = stdout.subarray(lf + 1, lf + 1 + Number(size));
      const body = object.indexOf('\n\n');
      out.set(sha, body === -1 ? '' : object.subarray(body + 2).toString('utf8'));
      at = lf + 1 + Number(size) + 1;
    }
    return out;
  }

  async detail(sha: string): Promise<CommitRecord | null> {
    const cached = this.details.get(sha);
    if (cached) return cached;
    if (!(await this.resolve(sha))) return null;
    const [summary] = await this.summaries([sha]);
    const parentList = summary!.parents;
    // GitHub shows a commit's files as its diff against the first parent (a root commit: against
    // nothing), with rename detection; binary files count 0 lines.
    const args =
      parentList.length === 0 ? ['diff-tree', '-r', '-M', '--numstat', '-z', '--root', sha] : ['diff-tree', '-r', '-M', '--numstat', '-z', parentList[0]!, sha];
    const raw = await this.git(args);
    const files: CommitRecord['files'] = [];
    const parts = raw.split('\0');
    // With --root the first field is the commit's own sha.
    let i = parts[0] === sha ? 1 : 0;
    while (i < parts.length && parts[i] !== '') {
      // "add TAB del TAB path": the path itself may hold tabs.
      const m = /^\n?(\d+|-)\t(\d+|-)\t/.exec(parts[i]!);
      if (!m) throw new Error(`stand-in: unexpected diff-tree field for ${sha}`);
      const additions = m[1] === '-' ? 0 : Number(m[1]);
      const deletions = m[2] === '-' ? 0 : Number(m[2]);
      const path = parts[i]!.slice(m[0].length);
      if (path === '') {
        // A rename: "add\tdel\t" then the old and the new path as their own fields.
        files.push({ filename: parts[i + 2]!, previous_filename: parts[i + 1]!, status: 'renamed', additions, deletions });
        i += 3;
      } else {
        files.push({ filename: path, status: 'modified', additions, deletions });
        i += 1;
      }
    }
    const record: CommitRecord = { ...summary!, files };
    this.details.set(sha, record);
    return record;
  }
}

const IDENT_FORMAT = '%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI';

/** GitHub's API shows a message without its trailing line feeds. */
function summaryOf(fields: string[], message: string): CommitSummary {
  const [sha, parents, authorName, authorEmail, authorDate, committerName, committerEmail, committerDate] = fields;
  return {
    sha: sha!,
    parents: parents!.split(' ').filter(Boolean),
    message: message.replace(/\n+$/, ''),
    authorName: authorName!,
    authorEmail: authorEmail!,
    authorDate: new Date(authorDate!).toISOString().replace('.000Z', 'Z'),
    committerName: committerName!,
    committerEmail: committerEmail!,
    committerDate: new Date(committerDate!).toISOString().replace('.000Z', 'Z'),
  };
}

/** Commits held in memory: parents as given, or else a straight line in committer-date order. */
export interface MemoryCommit {
  sha: string;
  parents?: string[];
  message: string;
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerDate: string;
  files: { filename: string; additions: number; deletions: number }[];
}

export class MemoryCommitSource implements CommitSource {
  constructor(private readonly commits: () => MemoryCommit[]) {}

  private graph(): { bySha: Map<string, CommitRecord>; head: string | null } {
    const sorted = [...this.commits()].sort((a, b) => a.committerDate.localeCompare(b.committerDate));
    const bySha = new Map<string, CommitRecord>();
    sorted.forEach((c, i) =>
      bySha.set(c.sha, {
        sha: c.sha,
        parents: c.parents ?? (i > 0 ? [sorted[i - 1]!.sha] : []),
        message: c.message,
        authorName: c.authorName,
        authorEmail: c.authorEmail,
        authorDate: c.authorDate,
        committerName: 'GitHub',
        committerEmail: 'noreply@github.com',
        committerDate: c.committerDate,
        files: c.files.map((f) => ({ ...f, status: 'modified' })),
      }),
    );
    return { bySha, head: sorted.at(-1)?.sha ?? null };
  }

  private reachable(bySha: Map<string, CommitRecord>, from: string): Set<string> {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s) || !bySha.has(s)) continue;
      seen.add(s);
      stack.push(...bySha.get(s)!.parents);
    }
    return seen;
  }

  async defaultBranch(): Promise<string> {
    return 'main';
  }

  async branchHead(branch: string): Promise<string | null> {
    return branch === 'main' ? this.graph().head : null;
  }

  async resolve(ref: string): Promise<string | null> {
    if (ref === 'main') return this.graph().head;
    return this.graph().bySha.has(ref) ? ref : null;
  }

  async list(head: string, since?: string): Promise<string[]> {
    const { bySha } = this.graph();
    return [...this.reachable(bySha, head)]
      .map((s) => bySha.get(s)!)
      .filter((c) => !since || new Date(c.committerDate) >= new Date(since))
      .sort((a, b) => b.committerDate.localeCompare(a.committerDate))
      .map((c) => c.sha);
  }

  async range(exclude: string, include: string): Promise<string[]> {
    const { bySha } = this.graph();
    const out = this.reachable(bySha, exclude);
    return [...this.reachable(bySha, include)]
      .filter((s) => !out.has(s))
      .map((s) => bySha.get(s)!)
      .sort((a, b) => a.committerDate.localeCompare(b.committerDate))
      .map((c) => c.sha);
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    const { bySha } = this.graph();
    const ra = this.reachable(bySha, a);
    const common = [...this.reachable(bySha, b)].filter((s) => ra.has(s)).map((s) => bySha.get(s)!);
    common.sort((x, y) => y.committerDate.localeCompare(x.committerDate));
    return common[0]?.sha ?? null;
  }

  async detail(sha: string): Promise<CommitRecord | null> {
    return this.graph().bySha.get(sha) ?? null;
  }

  async summaries(shas: string[]): Promise<CommitSummary[]> {
    const { bySha } = this.graph();
    return shas.map((sha) => bySha.get(sha)!);
  }

  async existing(shas: string[]): Promise<string[]> {
    const { bySha } = this.graph();
    return shas.filter((sha) => bySha.has(sha));
  }
}
