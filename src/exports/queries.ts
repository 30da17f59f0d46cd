import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, sql, type PgQueryable } from '../db/sql.js';
import type { ExportQuery } from './definitions.js';

/**
 * Every statement of the exports feature on `export_jobs`, one named function each (the rows an
 * export type streams are its definition's, src/exports/definitions.ts).
 */

export interface ExportRow {
  id: string;
  export_type: string;
  format: string;
  config: unknown;
  status: string;
  requested_by: string | null;
}

export interface ExportStatus {
  status: string;
  file_path: string | null;
  file_size_bytes: string | null;
  error_message: string | null;
}

/** A new request, pending. */
export async function insertExportRequest(
  em: EntityManager,
  r: { requestedBy: string | null; exportType: string; format: string; config: unknown },
): Promise<string> {
  const [row] = await sql<{ id: string }>(
    em,
    `INSERT INTO export_jobs (requested_by, export_type, format, config, status) VALUES (?, ?, ?, ?::jsonb, 'pending') RETURNING id`,
    [r.requestedBy, r.exportType, r.format, JSON.stringify(r.config)],
  );
  return row!.id;
}

/** Where an export stands: its status, and its file or its error. */
export async function exportStatus(em: EntityManager, exportJobId: string): Promise<ExportStatus | undefined> {
  const [row] = await sql<ExportStatus>(em, `SELECT status, file_path, file_size_bytes, error_message FROM export_jobs WHERE id = ?`, [exportJobId]);
  return row;
}

/** pending|processing → processing; undefined when the export is in neither state (or gone). */
export async function claimExport(em: EntityManager, exportJobId: string): Promise<ExportRow | undefined> {
  const [row] = await sql<ExportRow>(
    em,
    `UPDATE export_jobs SET status = 'processing', error_message = NULL
      WHERE id = ? AND status IN ('pending', 'processing') RETURNING id, export_type, format, config, status, requested_by`,
    [exportJobId],
  );
  return row;
}

/** processing → completed, with its file, expiring `ttlHours` from now. */
export async function completeExport(em: EntityManager, exportJobId: string, file: { path: string; bytes: number }, ttlHours: number): Promise<void> {
  await sql(
    em,
    `UPDATE export_jobs SET status = 'completed', file_path = ?, file_size_bytes = ?, completed_at = now(),
            expires_at = now() + make_interval(hours => ?), error_message = NULL WHERE id = ?`,
    [file.path, file.bytes, ttlHours, exportJobId],
  );
}

/** Back to pending, saying why (a shutdown, or a retry to come). */
export async function pendExport(em: EntityManager, exportJobId: string, why: string): Promise<void> {
  await sql(em, `UPDATE export_jobs SET status = 'pending', error_message = ? WHERE id = ?`, [why, exportJobId]);
}

/** Failed for good, saying why. */
export async function failExport(em: EntityManager, exportJobId: string, why: string): Promise<void> {
  await sql(em, `UPDATE export_jobs SET status = 'failed', error_message = ?, completed_at = now() WHERE id = ?`, [why, exportJobId]);
}

/** How many rows an export's statement yields. */
export async function countExportRows(client: PgQueryable, query: ExportQuery): Promise<number> {
  return Number((await sql<{ n: string }>(client, `SELECT count(*) AS n FROM (${query.sql}) q`, query.params))[0]!.n);
}

/**
 * failed → pending, for an operator's retry; returns the status the export had (undefined: it is
 * gone). Any other state is left as it is.
 */
export async function reopenFailedExport(em: EntityManager, exportJobId: string): Promise<string | undefined> {
  const [row] = await sql<{ status: string | null }>(
    em,
    `WITH arg AS (SELECT ?::uuid AS id),
          prior AS (SELECT status FROM export_jobs, arg WHERE export_jobs.id = arg.id),
          reopened AS (UPDATE export_jobs SET status = 'pending', error_message = NULL, completed_at = NULL
                         FROM arg WHERE export_jobs.id = arg.id AND status = 'failed' RETURNING status)
     SELECT (SELECT status FROM prior) AS status`,
    [exportJobId],
  );
  return row?.status ?? undefined;
}

/** Completed exports past their expiry, oldest first, at most 1,000. */
export async function expiredExports(em: EntityManager): Promise<{ id: string; file_path: string | null }[]> {
  return sql(em, `SELECT id, file_path FROM export_jobs WHERE status = 'completed' AND expires_at <= now() ORDER BY expires_at LIMIT 1000`);
}

/** Why an export's file is still there. */
export async function noteExportError(em: EntityManager, exportJobId: string, message: string): Promise<void> {
  await sql(em, `UPDATE export_jobs SET error_message = ? WHERE id = ?`, [message.slice(0, 2000), exportJobId]);
}

/** completed → expired, its file gone (with a note why it was left alone, when it was). */
export async function expireExport(em: EntityManager, exportJobId: string, note: string | null): Promise<void> {
  await sql(
    em,
    `UPDATE export_jobs SET status = 'expired', file_path = NULL, error_message = coalesce(?, error_message) WHERE id = ? AND status = 'completed'`,
    [note, exportJobId],
  );
}

/** Exports in `status` for longer than `minutes`, at most 1,000 (pending ones oldest first). */
export async function exportsStuckIn(em: EntityManager, status: 'pending' | 'processing', minutes: number): Promise<{ id: string }[]> {
  return sql(em, `SELECT id FROM export_jobs WHERE status = ? AND created_at < now() - make_interval(mins => ?) ORDER BY created_at LIMIT 1000`, [
    status,
    minutes,
  ]);
}

/** processing → failed: its job is gone. Returns whether the row was still processing. */
export async function failLostExport(em: EntityManager, exportJobId: string): Promise<boolean> {
  const done = await sql(
    em,
    `UPDATE export_jobs SET status = 'failed', completed_at = now(),
            error_message = 'the job producing this export was lost (its worker died too often, or it was removed from the queue); request it again'
      WHERE id = ? AND status = 'processing' RETURNING id`,
    [exportJobId],
  );
  return done.length > 0;
}

/** Of these file names, those an export row names (rows name files by the path they were written to). */
export async function filesOwnedByExports(em: EntityManager, names: string[]): Promise<Set<string>> {
  const owned = await sql<{ name: string }>(
    em,
    `SELECT regexp_replace(file_path, '^.*/', '') AS name FROM export_jobs WHERE regexp_replace(file_path, '^.*/', '') = ANY(?::text[])`,
    [pgArray(names)],
  );
  return new Set(owned.map((o) => o.name));
}

/** What a download of an export needs to know of it. */
export async function exportForDownload(
  em: EntityManager,
  exportJobId: string,
): Promise<{ status: string; export_type: string; format: string; file_path: string | null; completed_at: Date | null } | null> {
  const [row] = await sql<{ status: string; export_type: string; format: string; file_path: string | null; completed_at: Date | null }>(
    em,
    `SELECT status, export_type, format, file_path, completed_at FROM export_jobs WHERE id = ?`,
    [exportJobId],
  );
  return row ?? null;
}
