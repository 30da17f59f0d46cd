import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Producer } from '../queues/producer.js';
import { exportProcess } from './jobs/export-process.contract.js';
import { exportConfigSchema, formatsFor, REQUEST_EXPORT_TYPES } from './definitions.js';
import { issueLines } from '../lib/zod-issues.js';
import { exportOrganization, exportPolicy } from './organization.js';
import { insertExportRequest } from './queries.js';

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
  const allowed = await exportPolicy(em, org.organizationId, r.exportType, r.config, r.requestedBy);
  if ('problem' in allowed) throw new InvalidExportRequest([allowed.problem]);
  const config = { ...r.config, organization_id: org.organizationId };
  const id = await insertExportRequest(em, { requestedBy: r.requestedBy ?? null, exportType: r.exportType, format: r.format, config });
  await producer.enqueue(exportProcess, { exportJobId: id });
  return id;
}
