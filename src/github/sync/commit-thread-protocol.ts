import type { CommitChunk } from './commit-chunk.js';

/**
 * The messages between a PreparedCommitReader (the job's thread) and the commit thread
 * (commit-thread.ts), each about one reader, by `id`.
 */
export type ToCommitThread =
  /** Read `shas` from the mirror at `dir` (git run with `env`, each run bounded by `timeoutMs`), chunked by chunkLengths(shas.length, size, first). */
  | { op: 'read'; id: number; dir: string; env: NodeJS.ProcessEnv; timeoutMs: number; repo: string; shas: string[]; size: number; first: number }
  /** The reader takes one more chunk: make it and send it. */
  | { op: 'take'; id: number }
  /** The reader is done with (closed, or its job aborted): stop its gits. */
  | { op: 'close'; id: number };

/** An error crossing the thread, by kind (the job's error kinds are classes, which a message cannot carry). */
export interface ThreadError {
  kind: 'transient' | 'refused' | 'missing' | 'other';
  message: string;
}

export type FromCommitThread = { id: number; chunk: CommitChunk } | { id: number; done: true } | { id: number; error: ThreadError };
