import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { sql } from '../db/sql.js';
import type { Producer } from '../queues/producer.js';
import { exportProcess } from '../workers/jobs/export-process.js';
import { EXPORT_FORMATS, EXPORT_TYPES, exportConfigSchema } from './definitions.js';

export const exportRequestSchema = z
  .object({
    exportType: z.enum(EXPORT_TYPES, { message: `must be one of ${EXPORT_TYPES.join(', ')}` }),
    format: z.enum(EXPORT_FORMATS, { message: `must be one of ${EXPORT_FORMATS.join(', ')}` }),
    config: exportConfigSchema.default({}),
    requestedBy: z.uuid().optional(),
  })
  .strict();
export type ExportRequest = z.input<typeof exportRequestSchema>;

export class InvalidExportRequest extends Error {
  override name = 'InvalidExportRequest';
  constructor(readonly problems: string[]) {
    super(`Invalid export request: ${problems.join('; ')}`);
  }
}

/**
 * Record an export request (status pending) and queue its processing once the row is committed,
 * so the worker always finds the row it was given. Returns the export_jobs id.
 */
export async function requestExport(em: EntityManager, producer: Producer, request: ExportRequest): Promise<string> {
  const parsed = exportRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new InvalidExportRequest(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const r = parsed.data;
  const [row] = await sql<{ id: string }>(
    em,
    `INSERT INTO export_jobs (requested_by, export_type, format, config, status) VALUES (?, ?, ?, ?::jsonb, 'pending') RETURNING id`,
    [r.requestedBy ?? null, r.exportType, r.format, JSON.stringify(r.config)],
  );
  await producer.enqueue(exportProcess, { exportJobId: row!.id });
  return row!.id;
}
