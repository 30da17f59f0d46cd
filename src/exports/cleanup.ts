import { lstat, readdir, realpath, rm } from 'node:fs/promises';
import { inside } from './own-file.js';
import { join, resolve } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import type { Needs } from '../jobs/helpers.js';
import { exportProcess } from './jobs/export-process.contract.js';
import { expiredExports, expireExport, exportsStuckIn, failLostExport, filesOwnedByExports, noteExportError } from './queries.js';
import { recordPruned } from '../retention/index.js';

/** A temp file of an export (`.name.<12 hex>.tmp`, src/lib/atomic-file.ts) untouched this long is an orphan. */
export const ORPHAN_TEMP_MINUTES = 15;
const TEMP_FILE = /^\..+\.[0-9a-f]{12}\.tmp$/;

/**
 * Scheduled housekeeping of export_jobs:
 * - expired files are deleted and their rows marked `expired` (file_path cleared). export_jobs is
 *   shared with the platform, so only regular files inside EXPORT_DIR (by real path, links
 *   resolved) are ever deleted; any other path is left alone and said so in error_message, and one
 *   row's trouble never stops the others;
 * - pending rows older than EXPORT_ORPHAN_MINUTES are queued again: a producer that crashed between
 *   its INSERT and its enqueue must not leave an export "pending" forever. Re-queuing is safe:
 *   export.process is deduplicated per export and skips finished ones;
 * - rows left `processing` with no live job (BullMQ failed it, e.g. stalled too often) are failed;
 * - temp files of exports that died mid-write are removed;
 * - report files rendered for scheduled deliveries (or `aexy report run`), which no export_jobs row
 *   owns, are removed once they are EXPORT_TTL_HOURS old, like exports.
 */
export async function cleanUpExports(ctx: Needs<'em' | 'config' | 'log' | 'enqueueAfter'>, exportsQueue: Pick<Queue, 'getJobs'>) {
  const { em, config, log } = ctx;
  const root = await realpath(config.EXPORT_DIR).catch(() => resolve(config.EXPORT_DIR));
  const { expired, refused, filesDeleted } = await expireExports(em, log, root);

  const orphans = await exportsStuckIn(em, 'pending', config.EXPORT_ORPHAN_MINUTES);
  for (const o of orphans) ctx.enqueueAfter(exportProcess, { exportJobId: o.id });
  const lost = await failLostExports(em, config.EXPORT_ORPHAN_MINUTES, exportsQueue);

  // Temp files of writes that died (a crash, a full disk) and were never renamed; report files
  // no export row owns, once as old as an export's retention.
  const files = await regularFiles(root);
  const temps = await removeAll(root, olderThan(files, TEMP_FILE, Date.now() - ORPHAN_TEMP_MINUTES * 60_000));
  const reports = await removeOldReportFiles(em, root, olderThan(files, REPORT_FILE, Date.now() - config.EXPORT_TTL_HOURS * 3_600_000));
  // Counted for /metrics beside the retention job's kinds (aexy_pruned_files_total).
  if (filesDeleted) await recordPruned(em, 'export_files', 0, filesDeleted);
  if (reports) await recordPruned(em, 'report_files', 0, reports);
  if (expired || orphans.length || lost || temps || reports) {
    log.info({ expired, refused, requeued: orphans.length, lost, tempFiles: temps, reportFiles: reports }, 'export cleanup');
  }
  return {
    expired,
    requeued: orphans.length,
    ...(refused ? { refused } : {}),
    ...(lost ? { lost } : {}),
    ...(temps ? { tempFiles: temps } : {}),
    ...(reports ? { reportFiles: reports } : {}),
  };
}

/** Completed exports past expires_at: their files deleted (when ours), the rows expired. */
async function expireExports(em: EntityManager, log: Needs<'log'>['log'], root: string): Promise<{ expired: number; refused: number; filesDeleted: number }> {
  const expired = await expiredExports(em);
  let refused = 0;
  let filesDeleted = 0;
  for (const e of expired) {
    let note: string | null = null;
    try {
      if (e.file_path) {
        const removed = await removeExportFile(root, e.file_path);
        if (removed === 'deleted') filesDeleted += 1;
        else note = removed;
      }
    } catch (err) {
      // Could not delete (permissions, I/O): keep the row completed, say why, try again next time.
      refused += 1;
      const message = `expired, but its file could not be deleted: ${(err as Error).message}`;
      await noteExportError(em, e.id, message);
      log.warn({ exportJobId: e.id, err: (err as Error).message }, 'expired export file not deleted');
      continue;
    }
    if (note) {
      refused += 1;
      log.warn({ exportJobId: e.id, filePath: e.file_path }, note);
    }
    await expireExport(em, e.id, note);
  }
  return { expired: expired.length, refused, filesDeleted };
}

/** Processing rows whose job is gone from the queue (failed for good, or removed): failed, saying so. */
async function failLostExports(em: EntityManager, orphanMinutes: number, exportsQueue: Pick<Queue, 'getJobs'>): Promise<number> {
  const processing = await exportsStuckIn(em, 'processing', orphanMinutes);
  let lost = 0;
  if (processing.length > 0) {
    const live = await exportsQueue.getJobs(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);
    const alive = new Set(live.filter((j) => j.name === exportProcess.name).map((j) => (j.data as { exportJobId?: string }).exportJobId));
    for (const p of processing.filter((r) => !alive.has(r.id))) {
      if (await failLostExport(em, p.id)) lost += 1;
    }
  }
  return lost;
}

/**
 * Delete an expired export's file if it is ours: a regular file inside EXPORT_DIR. Returns 'deleted',
 * null when it was already gone, or why it was left alone.
 */
async function removeExportFile(root: string, filePath: string): Promise<'deleted' | null | string> {
  let real: string;
  try {
    real = await realpath(filePath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  if (!inside(root, real)) return `expired; file not deleted: ${filePath} is outside EXPORT_DIR`;
  if (!(await lstat(real)).isFile()) return `expired; file not deleted: ${filePath} is not a regular file`;
  await rm(real, { force: true });
  return 'deleted';
}

/** The regular files directly in EXPORT_DIR, with their modification time (read once per cleanup). */
async function regularFiles(root: string): Promise<{ name: string; mtimeMs: number }[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const out: { name: string; mtimeMs: number }[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const info = await lstat(join(root, e.name)).catch(() => null);
    if (info) out.push({ name: e.name, mtimeMs: info.mtimeMs });
  }
  return out;
}

/** Names matching `pattern` untouched since before `cutoffMs`. */
const olderThan = (files: { name: string; mtimeMs: number }[], pattern: RegExp, cutoffMs: number) =>
  files.filter((f) => pattern.test(f.name) && f.mtimeMs < cutoffMs).map((f) => f.name);

async function removeAll(root: string, names: string[]): Promise<number> {
  for (const name of names) await rm(join(root, name), { force: true });
  return names.length;
}

/** A rendered report: `report-<report uuid>-<ISO stamp>.<format>` (src/reports/run.ts). */
const REPORT_FILE = /^report-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\d{4}-\d\d-\d\dT[\d-]+Z\.(pdf|csv|json)$/;

/** Report files no export row owns, older than the export retention. */
async function removeOldReportFiles(em: EntityManager, root: string, old: string[]): Promise<number> {
  if (old.length === 0) return 0;
  // Rows name files by the path they were written to (EXPORT_DIR may be relative): match by name,
  // which is unique (report id and a millisecond stamp).
  const keep = await filesOwnedByExports(em, old);
  return removeAll(
    root,
    old.filter((n) => !keep.has(n)),
  );
}
