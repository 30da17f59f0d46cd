import { TransientError } from '../../errors/index.js';
import { NulTokens } from './git-process.js';

/**
 * Parsers of git's output that no commit can steer. Nothing is split on a marker that a message,
 * a name or a path could contain:
 * - `git log -z --numstat` (LOG_FORMAT): every field ends in a NUL, which git allows in no path,
 *   name, email or date; the fields are read by position, a commit's first field must be the next
 *   sha asked for, its parents shas, its dates ISO dates; a numstat entry is `add TAB del TAB path`
 *   (the path may hold tabs and newlines: only the first two tabs separate), a rename's paths are the
 *   next two fields. The message is not in it.
 * - `git cat-file --batch`: each object is preceded by its size in bytes, so the message (the bytes
 *   after the first empty line of the commit object) is cut by count, never by content.
 * Anything that does not fit is an error that names the commit, never a guess.
 */

export type ParsedFile = {
  filename: string;
  previous_filename?: string;
  status: 'modified' | 'renamed';
  additions: number;
  deletions: number;
};

export interface ParsedCommit {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerName: string;
  committerEmail: string;
  committerDate: string;
  files: ParsedFile[];
}

/** Eight fields per commit, each closed by a NUL (`-z`); `--numstat -z` entries follow. */
export const LOG_FORMAT = '%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI';
const HEADER_FIELDS = 8;

const SHA = /^[0-9a-f]{40}$/;
const PARENTS = /^(?:[0-9a-f]{40}(?: [0-9a-f]{40})*)?$/;
/** git's strict ISO 8601 (`%aI`): 2026-01-02T03:04:05+01:00. */
const STRICT_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)$/;
const NUMSTAT = /^(\d+|-)\t(\d+|-)\t/;

/** An ISO date as GitHub writes it: UTC, seconds, `Z`. */
function utc(value: string, sha: string, role: 'author' | 'committer'): string {
  const d = new Date(value);
  if (!STRICT_ISO.test(value) || Number.isNaN(d.getTime()))
    throw new TransientError(`git log gave commit ${sha}'s ${role} an invalid date ${JSON.stringify(value.slice(0, 40))}`);
  return d.toISOString().replace('.000Z', 'Z');
}

/**
 * A push parser of `git log --no-walk=unsorted -z --numstat --format=LOG_FORMAT <shas>`: call
 * `push` with each chunk of output, then `end()`, which returns the commits in the order asked and
 * throws unless exactly the asked commits came back. With `onCommit`, each commit is handed over as
 * soon as it is complete (when the next one starts, the last at `end()`) and none is kept.
 */
export class LogParser {
  private readonly out: ParsedCommit[] = [];
  private readonly tokens: NulTokens;
  private header: string[] = [];
  private current: ParsedCommit | null = null;
  private rename: { additions: number; deletions: number; old?: string } | null = null;
  /** Commits started so far. */
  private count = 0;

  constructor(
    private readonly expected: readonly string[],
    private readonly onCommit?: (c: ParsedCommit) => void,
  ) {
    this.tokens = new NulTokens((t) => this.token(t));
  }

  push(chunk: Buffer): void {
    this.tokens.push(chunk);
  }

  private token(t: string): void {
    if (this.rename) {
      if (this.rename.old === undefined) this.rename.old = t;
      else {
        this.current!.files.push({
          filename: t,
          previous_filename: this.rename.old,
          status: 'renamed',
          additions: this.rename.additions,
          deletions: this.rename.deletions,
        });
        this.rename = null;
      }
      return;
    }
    if (this.header.length > 0) {
      this.header.push(t);
      if (this.header.length === HEADER_FIELDS) this.startCommit();
      return;
    }
    if (this.current) {
      // The first entry of a commit follows a line feed git prints after the header.
      const entry = t.startsWith('\n') ? t.slice(1) : t;
      const m = NUMSTAT.exec(entry);
      if (m) {
        const additions = m[1] === '-' ? 0 : Number(m[1]);
        const deletions = m[2] === '-' ? 0 : Number(m[2]);
        const path = entry.slice(m[0].length);
        if (path === '') this.rename = { additions, deletions };
        else this.current.files.push({ filename: path, status: 'modified', additions, deletions });
        return;
      }
    }
    // Not a numstat entry: the next commit's sha, and nothing else.
    this.header = [t];
  }

  private startCommit(): void {
    const [sha, parents, authorName, authorEmail, authorDate, committerName, committerEmail, committerDate] = this.header as [string, ...string[]];
    this.header = [];
    const want = this.expected[this.count];
    if (!SHA.test(sha) || sha !== want) {
      throw new TransientError(
        `git log output out of step: expected commit ${want ?? '(none)'} as record ${this.count + 1}, read ${JSON.stringify(sha.slice(0, 60))}`,
      );
    }
    if (!PARENTS.test(parents!)) throw new TransientError(`git log gave commit ${sha} invalid parents ${JSON.stringify(parents!.slice(0, 100))}`);
    if (this.current && this.onCommit) this.onCommit(this.current);
    this.count += 1;
    const authored = utc(authorDate!, sha, 'author');
    this.current = {
      sha,
      parents: parents!.split(' ').filter(Boolean),
      authorName: authorName!,
      authorEmail: authorEmail!,
      authorDate: authored,
      committerName: committerName!,
      committerEmail: committerEmail!,
      // Most commits are committed as they were written: the same text, the same date.
      committerDate: committerDate === authorDate ? authored : utc(committerDate!, sha, 'committer'),
      files: [],
    };
    if (!this.onCommit) this.out.push(this.current);
  }

  end(): ParsedCommit[] {
    const rest = this.tokens.rest();
    if (rest !== '' || this.header.length > 0 || this.rename) throw new TransientError(`git log output ended inside a record (after ${this.count} commits)`);
    if (this.count !== this.expected.length) throw new TransientError(`git log returned ${this.count} of the ${this.expected.length} commits asked for`);
    if (this.current && this.onCommit) this.onCommit(this.current);
    this.current = null;
    return this.out;
  }
}

/** Messages longer than this (in bytes) are cut: storableText keeps 64 Ki characters of them anyway. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * A push parser of `git cat-file --batch` fed the shas, one per line: for each, a line
 * `<sha> commit <size>`, `size` bytes of the commit object, a line feed. Returns the messages by
 * sha (decoded from the object's `encoding` header when it names one, else UTF-8), as `%B` shows them;
 * with `onMessage`, hands each over as it is complete and keeps none.
 */
export class CatFileMessages {
  private readonly out = new Map<string, string>();
  private line: Buffer[] = [];
  private body: { sha: string; size: number; got: number; kept: Buffer[]; keptBytes: number } | null = null;
  private awaitingLf = false;
  /** Objects read so far. */
  private count = 0;

  constructor(
    private readonly expected: readonly string[],
    private readonly onMessage?: (sha: string, message: string) => void,
  ) {}

  private done(sha: string, message: string): void {
    this.count += 1;
    if (this.onMessage) this.onMessage(sha, message);
    else this.out.set(sha, message);
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.body) {
        const take = Math.min(this.body.size - this.body.got, chunk.length - at);
        if (this.body.keptBytes < MAX_MESSAGE_BYTES + 64 * 1024) {
          // A view, not a copy: the stream hands each chunk over once and never reuses it.
          this.body.kept.push(chunk.subarray(at, at + take));
          this.body.keptBytes += take;
        }
        this.body.got += take;
        at += take;
        if (this.body.got === this.body.size) {
          const kept = this.body.kept;
          this.done(this.body.sha, messageOf(kept.length === 1 ? kept[0]! : Buffer.concat(kept)));
          this.body = null;
          this.awaitingLf = true;
        }
        continue;
      }
      if (this.awaitingLf) {
        if (chunk[at] !== 0x0a) throw new TransientError('git cat-file output out of step after an object');
        this.awaitingLf = false;
        at += 1;
        continue;
      }
      const lf = chunk.indexOf(0x0a, at);
      if (lf === -1) {
        this.line.push(Buffer.from(chunk.subarray(at)));
        if (this.line.reduce((s, b) => s + b.length, 0) > 200) throw new TransientError('git cat-file printed an over-long header line');
        return;
      }
      this.line.push(chunk.subarray(at, lf));
      const header = Buffer.concat(this.line).toString('utf8');
      this.line = [];
      at = lf + 1;
      this.startObject(header);
    }
  }

  private startObject(header: string): void {
    const want = this.expected[this.count];
    const m = /^([0-9a-f]{40}) (\S+) (\d+)$/.exec(header);
    if (!m || m[1] !== want)
      throw new TransientError(`git cat-file output out of step: expected ${want ?? '(none)'}, read ${JSON.stringify(header.slice(0, 80))}`);
    if (m[2] !== 'commit') throw new TransientError(`${want} is a ${m[2]}, not a commit`);
    this.body = { sha: m[1]!, size: Number(m[3]), got: 0, kept: [], keptBytes: 0 };
    if (this.body.size === 0) {
      this.done(this.body.sha, '');
      this.body = null;
      this.awaitingLf = true;
    }
  }

  end(): Map<string, string> {
    if (this.body || this.line.length || this.count !== this.expected.length) {
      throw new TransientError(`git cat-file returned ${this.count} of the ${this.expected.length} commits asked for`);
    }
    return this.out;
  }
}

/** The message of a raw commit object: everything after the first empty line (headers end there; continuation lines start with a space). */
export function messageOf(raw: Buffer): string {
  const split = raw.indexOf('\n\n');
  if (split === -1) return '';
  const headers = raw.subarray(0, split).toString('latin1');
  const encoding = /^encoding (.+)$/m.exec(headers)?.[1]?.trim();
  let body = raw.subarray(split + 2);
  if (body.length > MAX_MESSAGE_BYTES) body = body.subarray(0, MAX_MESSAGE_BYTES);
  if (encoding && !/^utf-?8$/i.test(encoding)) {
    try {
      return new TextDecoder(encoding).decode(body);
    } catch {
      // An encoding this runtime does not know: read it as UTF-8, as git would print it raw.
    }
  }
  return body.toString('utf8');
}
