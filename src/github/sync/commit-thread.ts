import { parentPort } from 'node:worker_threads';
import { TransientError } from '../../errors/index.js';
import { prepareChunk } from './commit-chunk.js';
import type { FromCommitThread, ThreadError, ToCommitThread } from './commit-thread-protocol.js';
import { CommitReader } from './git.js';
import { GitMissingError, GitRemoteRefusedError } from './git-process.js';

/**
 * The commit thread: reads commits from git (CommitReader) and makes each chunk's rows and COPY text
 * (prepareChunk) for a PreparedCommitReader, a chunk each time the reader takes one, so git's output
 * is parsed beside the job's own thread, which only writes. Its git runs stop when their reader
 * closes; nothing outlives a reader.
 */

interface Serving {
  stop: AbortController;
  credit: number;
  wake: (() => void) | null;
}

const serving = new Map<number, Serving>();
const post = (m: FromCommitThread) => parentPort!.postMessage(m);

function threadError(err: unknown): ThreadError {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof GitMissingError) return { kind: 'missing', message };
  if (err instanceof GitRemoteRefusedError) return { kind: 'refused', message };
  if (err instanceof TransientError) return { kind: 'transient', message };
  return { kind: 'other', message };
}

async function serve(m: Extract<ToCommitThread, { op: 'read' }>): Promise<void> {
  const s: Serving = { stop: new AbortController(), credit: 0, wake: null };
  serving.set(m.id, s);
  const reader = new CommitReader({ dir: m.dir, env: m.env, timeoutMs: m.timeoutMs, signal: s.stop.signal }, m.shas, m.size, undefined, m.first);
  try {
    for (;;) {
      while (s.credit === 0 && !s.stop.signal.aborted) await new Promise<void>((resolve) => (s.wake = resolve));
      if (s.stop.signal.aborted) return;
      s.credit -= 1;
      const read = await reader.next();
      if (read.done) {
        if (!s.stop.signal.aborted) post({ id: m.id, done: true });
        return;
      }
      const chunk = await prepareChunk(m.repo, read.value);
      if (!s.stop.signal.aborted) post({ id: m.id, chunk });
    }
  } catch (err) {
    if (!s.stop.signal.aborted) post({ id: m.id, error: threadError(err) });
  } finally {
    reader.close();
    serving.delete(m.id);
  }
}

parentPort!.on('message', (m: ToCommitThread) => {
  if (m.op === 'read') {
    void serve(m);
    return;
  }
  const s = serving.get(m.id);
  if (!s) return;
  if (m.op === 'take') s.credit += 1;
  else s.stop.abort(new Error('the commit reader was closed'));
  s.wake?.();
  s.wake = null;
});
