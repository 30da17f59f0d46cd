import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { sql } from '../db/sql.js';
import type { Producer } from '../queues/producer.js';
import { exportProcess } from './jobs/export-process.contract.js';
import { exportConfigSchema, formatsFor, REQUEST_EXPORT_TYPES } from './definitions.js';
import { issueLines } from '../lib/zod-issues.js';
import { exportOrganization } from './organization.js';

export const exportRequestSchema = z
  .object({
    exportType: z.enum(REQUEST_EXPORT_TYPES, { message: `must be one of ${REQUEST_EXPORT_TYPES.join(', ')}` }),
    format: z.string(),
    config: exportConfigSchema.default({}),
    requestedBy: z.uuid().optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const formats = formatsFor(r.exportType);
    if (!formats.includes(r.format)) ctx.addIssue({ code: 'custom', path: ['format'], message: `must be one of ${formats.join(', ')}` });
    if (r.exportType === 'report' && !r.config.report_id)
      ctx.addIssue({ code: 'custom', path: ['config', 'report_id'], message: 'is required for a report export' });
  });
export type ExportRequest = z.input<typeof exportRequestSchema>;

export class InvalidExportRequest extends Error {
  override name = 'InvalidExportRequest';
  constructor(readonly problems: string[]) {
    super(`Invalid export request: ${problems.join('; ')}`);
  }
}

/**
 * Record an export request (status pending) and queue its processing once the row is committed,
 * so the worker always finds the row it was given. The row's config names the organization it is of
 * (see exportOrganization). Returns the export_jobs id.
 */
export async function requestExport(em: EntityManager, producer: Producer, request: ExportRequest): Promise<string> {
  const parsed = exportRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new InvalidExportRequest(issueLines(parsed.error));
  }
  const r = parsed.data;
  const org = await exportOrganization(em, r.requestedBy, r.config);
  if ('problem' in org) throw new InvalidExportRequest([org.problem]);
  const config = { ...r.config, organization_id: org.organizationId };
  const [row] = await sql<{ id: string }>(
    em,
    `INSERT INTO export_jobs (requested_by, export_type, format, config, status) VALUES (?, ?, ?, ?::jsonb, 'pending') RETURNING id`,
    [r.requestedBy ?? null, r.exportType, r.format, JSON.stringify(config)],
  );
  await producer.enqueue(exportProcess, { exportJobId: row!.id });
  return row!.id;
}

/** Where an export stands: its status, and its file or its error. */
export async function exportStatus(
  em: EntityManager,
  exportJobId: string,
): Promise<{ status: string; file_path: string | null; file_size_bytes: string | null; error_message: string | null } | undefined> {
  const [row] = await sql<{ status: string; file_path: string | null; file_size_bytes: string | null; error_message: string | null }>(
    em,
    `SELECT status, file_path, file_size_bytes, error_message FROM export_jobs WHERE id = ?`,
    [exportJobId],
  );
  return row;
}
