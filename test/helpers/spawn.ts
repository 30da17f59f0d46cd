import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Start a TypeScript entry point the way npm scripts do (node + tsx loader). */
export type Spawned = ChildProcess & { finished: Promise<Finished>; stdoutSoFar(): string };

export function spawnTs(entry: string, args: string[], env: Record<string, string>): Spawned {
  return capture(
    spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

/** `npm run <script> -- args`, as a user (or Docker, or systemd) starts it: npm is the main process. */
export function spawnNpm(script: string, args: string[], env: Record<string, string>): Spawned {
  return capture(spawn('npm', ['run', '--silent', script, '--', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Every live descendant of a process (children, grandchildren …), from `ps`. */
export function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of rows)
      if (parent === p) {
        out.push(child);
        walk(child);
      }
  };
  walk(pid);
  return out;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function capture(child: ChildProcess): Spawned {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const finished = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return Object.assign(child, { finished, stdoutSoFar: () => stdout });
}

/** Run the CLI to completion. */
export function runCliProcess(args: string[], env: Record<string, string>): Promise<Finished> {
  return spawnTs('bin/aexy.mjs', args, env).finished;
}

/** Resolve once the child's stdout (so far, or from now on) matches. */
export function waitForOutput(child: Spawned, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = child.stdoutSoFar().match(pattern);
      if (m) {
        child.stdout!.off('data', onData);
        resolve(m[0]);
      }
      return !!m;
    };
    // Registered after spawnTs's own listener, so the accumulated output already includes `d`.
    const onData = () => check();
    if (check()) return;
    child.stdout!.on('data', onData);
    child.once('close', () => reject(new Error(`process exited before printing ${pattern}: ${child.stdoutSoFar()}`)));
  });
}
