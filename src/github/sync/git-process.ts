import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { TransientError } from '../../errors/index.js';

/**
 * Running git: its output is handed over chunk by chunk (never collected into one string, which V8
 * caps near 512 MiB), a timeout and a shutdown stop it with SIGTERM and, if it is still there
 * GIT_KILL_GRACE_MS later, SIGKILL (so git can remove its own lock files first), and a failure is
 * classified: git missing, the remote refusing, or anything else (transient: retried).
 */

export interface GitRunner {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** How long git has to exit after SIGTERM before it is killed. */
export const GIT_KILL_GRACE_MS = 5_000;

/** git is not installed (or not on PATH): the one local reason to read commits from the API instead. */
export class GitMissingError extends Error {
  override name = 'GitMissingError';
}

/** The remote refused the repository (not found, no access): the other reason to fall back to the API. */
export class GitRemoteRefusedError extends TransientError {
  override name = 'GitRemoteRefusedError';
}

/** What git prints when the server answers 401/403/404 or says the repository does not exist. */
const REFUSED =
  /repository '[^']*' not found|Repository not found|The requested URL returned error: (401|403|404)|Authentication failed|could not read Username|terminal prompts disabled|HTTP Basic: Access denied/i;

/** Holds a running git's output (git blocks once the pipe is full) and lets it go again; set by gitStream. */
export interface GitFlow {
  pause?: () => void;
  resume?: () => void;
}

/**
 * Run git with `args`, feeding `stdin` when given; `onData` gets stdout as it arrives and may throw
 * (a parse error: git is stopped and the error is the run's). Resolves when git exited 0. `flow`, when
 * given, gets the functions that hold and release git's output; `r.timeoutMs` bounds the time git
 * runs, so the time its output is held is not counted.
 */
export function gitStream(r: GitRunner, args: string[], onData: (chunk: Buffer) => void, stdin?: string, flow?: GitFlow): Promise<void> {
  const what = `git ${args[0] === '-C' ? args[2] : args[0]}`;
  return new Promise<void>((resolve, reject) => {
    if (r.signal?.aborted) return reject(r.signal.reason);
    // Its own process group, so a signal reaches the helpers git starts (remote-http, pack-objects)
    // too, which would otherwise keep its output open. GIT_FLUSH=0: git writes to a pipe a record
    // at a time otherwise (a commit of `git log`, a line of `rev-list`), each write one more read
    // and 'data' event here: 10,000 commits cost the event loop 8,000 reads instead of 500.
    const child = spawn('git', args, { env: { ...r.env, GIT_FLUSH: '0' }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let failure: unknown;
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    let closed = false;
    const signalGroup = (sig: NodeJS.Signals) => {
      if (closed || child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // No such group (yet: git may not have started its own): the process itself.
        child.kill(sig);
      }
    };
    const stop = (why: unknown) => {
      failure ??= why;
      if (killTimer) return;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), GIT_KILL_GRACE_MS);
    };
    let left = r.timeoutMs;
    let since = performance.now();
    const timeout = () => stop(new TransientError(`${what} timed out after ${r.timeoutMs} ms`));
    let timer: NodeJS.Timeout | undefined = setTimeout(timeout, left);
    const onAbort = () => stop(r.signal!.reason);
    r.signal?.addEventListener('abort', onAbort, { once: true });
    if (flow) {
      flow.pause = () => {
        if (!timer) return;
        child.stdout.pause();
        clearTimeout(timer);
        timer = undefined;
        left -= performance.now() - since;
      };
      flow.resume = () => {
        if (timer || closed) return;
        child.stdout.resume();
        since = performance.now();
        timer = setTimeout(timeout, Math.max(0, left));
      };
    }
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure) return;
      try {
        onData(chunk);
      } catch (err) {
        stop(err);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4_000) stderr += chunk.toString('utf8');
    });
    child.stdin.on('error', () => undefined); // git may exit before reading all of it
    if (stdin !== undefined) child.stdin.end(stdin);
    else child.stdin.end();
    child.on('error', (err: NodeJS.ErrnoException) => {
      failure ??=
        err.code === 'ENOENT' ? new GitMissingError('git is not installed (not found on PATH)') : new TransientError(`${what} could not start: ${err.message}`);
    });
    child.on('close', (code) => {
      closed = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      r.signal?.removeEventListener('abort', onAbort);
      if (failure) return reject(failure);
      if (code === 0) return resolve();
      const why = stderr.trim().slice(0, 1_000) || `exit code ${code}`;
      reject(REFUSED.test(stderr) ? new GitRemoteRefusedError(`${what} refused: ${why}`) : new TransientError(`${what} failed: ${why}`));
    });
  });
}

/** Run git and return its whole output as text: for commands whose output is small (rev-parse, rev-list of shas, config). */
export async function gitText(r: GitRunner, args: string[], stdin?: string): Promise<string> {
  const chunks: Buffer[] = [];
  await gitStream(r, args, (c) => chunks.push(c), stdin);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Splits a byte stream into NUL-terminated tokens as it arrives (git's `-z` output: no path, name,
 * email or message can hold a NUL). Each chunk is decoded once (UTF-8; a character cut by a chunk's
 * end is completed by the next) and cut at its NULs: a NUL byte is never part of another UTF-8
 * character, so this gives the tokens decoding each field alone would. A token longer than
 * `maxToken` characters is an error, never a string V8 cannot make.
 */
export class NulTokens {
  private readonly decoder = new StringDecoder('utf8');
  /** The start of a token cut by a chunk's end, in pieces (joined once, when its NUL comes). */
  private pending: string[] = [];
  private pendingLength = 0;
  constructor(
    private readonly emit: (token: string) => void,
    private readonly maxToken = 64 * 1024 * 1024,
  ) {}

  push(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    let start = 0;
    let nul = text.indexOf('\0');
    if (nul !== -1 && this.pending.length > 0) {
      this.pending.push(text.slice(0, nul));
      const whole = this.pending.join('');
      this.pending = [];
      this.pendingLength = 0;
      this.emit(whole);
      start = nul + 1;
      nul = text.indexOf('\0', start);
    }
    for (; nul !== -1; nul = text.indexOf('\0', start)) {
      this.emit(text.slice(start, nul));
      start = nul + 1;
    }
    if (start < text.length) {
      this.pendingLength += text.length - start;
      if (this.pendingLength > this.maxToken) throw new TransientError(`git printed a field of more than ${this.maxToken} characters`);
      this.pending.push(text.slice(start));
    }
  }

  /** What follows the last NUL (git's -z output ends with one, so normally nothing). */
  rest(): string {
    return this.pending.join('') + this.decoder.end();
  }
}
