import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { TransientError } from '../../errors/index.js';
import { moduleThread } from '../../lib/module-thread.js';
import type { CommitChunk } from './commit-chunk.js';
import type { FromCommitThread, ThreadError } from './commit-thread-protocol.js';
import { chunkLengths, type Mirror } from './git.js';
import { GitMissingError, GitRemoteRefusedError } from './git-process.js';

/** The process's commit thread (commit-thread.ts), started by the first reader and kept for the next. */
interface CommitThread {
  worker: Worker;
  readers: Map<number, PreparedCommitReader>;
}

let thread: CommitThread | null = null;
let nextId = 0;

function commitThread(): CommitThread {
  if (thread) return thread;
  const worker = moduleThread(new URL(`./commit-thread${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
  // Only a reader in progress keeps the process alive (see `track`).
  worker.unref();
  const t: CommitThread = { worker, readers: new Map() };
  worker.on('message', (m: FromCommitThread) => t.readers.get(m.id)?.receive(m));
  const stopped = (why: string) => {
    if (thread === t) thread = null;
    for (const r of [...t.readers.values()]) r.fail(new TransientError(`the commit thread stopped (${why}) while commits were read`));
  };
  worker.on('error', (err) => stopped(err.message));
  worker.on('exit', (code) => stopped(`exit code ${code}`));
  thread = t;
  return t;
}

function fromThread(e: ThreadError): Error {
  if (e.kind === 'missing') return new GitMissingError(e.message);
  if (e.kind === 'refused') return new GitRemoteRefusedError(e.message);
  if (e.kind === 'transient') return new TransientError(e.message);
  return new Error(e.message);
}

/**
 * The commits `shas` of a mirror as chunks ready to write (CommitChunk: rows and COPY text, authors
 * not given yet: withAuthors), read and made on the process's commit thread: git's output is parsed
 * and the COPY text made beside this thread, which is left to the writes. A chunk is made when
 * `next()` asks for it (the next while one is written), on top of CommitReader's own read-ahead, so
 * memory stays bounded as it does for CommitReader. Chunk lengths as CommitReader's (`lengths`).
 * The mirror's signal, or `close()`, stops its gits; a failure in the thread arrives as the error
 * kind it was there (GitMissingError, GitRemoteRefusedError, TransientError), and the thread
 * stopping fails every reader with a TransientError.
 */
export class PreparedCommitReader implements AsyncIterator<CommitChunk> {
  readonly lengths: number[];
  private readonly id = nextId++;
  private thread: CommitThread | null = null;
  private waiting: { resolve: (r: IteratorResult<CommitChunk>) => void; reject: (err: unknown) => void } | null = null;
  private failure: unknown;
  private finished = false;
  private readonly signal?: AbortSignal;
  private readonly onAbort = () => this.fail(this.signal!.reason);

  constructor(m: Mirror, repo: string, shas: string[], size: number, first = size) {
    this.lengths = chunkLengths(shas.length, size, first);
    if (shas.length === 0) {
      this.finished = true;
      return;
    }
    this.signal = m.signal;
    if (m.signal?.aborted) {
      this.failure = m.signal.reason;
      this.finished = true;
      return;
    }
    m.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.thread = commitThread();
    this.thread.readers.set(this.id, this);
    this.thread.worker.ref();
    this.thread.worker.postMessage({ op: 'read', id: this.id, dir: m.dir, env: m.env, timeoutMs: m.timeoutMs, repo, shas, size, first });
  }

  /** The next chunk; one at a time (the next is asked once this one has come). */
  next(): Promise<IteratorResult<CommitChunk>> {
    if (this.waiting) return Promise.reject(new Error('PreparedCommitReader.next() called again before the last chunk came'));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.thread!.worker.postMessage({ op: 'take', id: this.id });
    });
  }

  /** A message of the thread about this reader. */
  receive(m: FromCommitThread): void {
    if ('error' in m) return this.fail(fromThread(m.error));
    const waiting = this.waiting;
    this.waiting = null;
    if ('chunk' in m) waiting?.resolve({ value: m.chunk, done: false });
    else {
      this.release();
      waiting?.resolve({ value: undefined, done: true });
    }
  }

  /** Fails the reader (its chunk asked for, and every later one) with `err`. */
  fail(err: unknown): void {
    if (this.failure !== undefined || this.finished) return;
    this.failure = err;
    this.release();
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(err);
  }

  /** Stop its gits; it hands nothing more over. */
  close(): void {
    if (this.finished) return;
    this.release();
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve({ value: undefined, done: true });
  }

  /** The reader is over: its gits are stopped (a reader the thread has finished with is not known there any more). */
  private release(): void {
    if (this.finished) return;
    this.finished = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    const t = this.thread;
    if (!t) return;
    if (thread === t) t.worker.postMessage({ op: 'close', id: this.id });
    t.readers.delete(this.id);
    if (t.readers.size === 0) t.worker.unref();
  }
}
