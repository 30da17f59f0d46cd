import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Developer } from './developer.js';

export const EXPORT_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/** A requested export; its life cycle is pending → processing → completed | failed. */
export const ExportJob = defineEntity({
  name: 'ExportJob',
  tableName: 'export_jobs',
  indexes: [
    { name: 'idx_export_jobs_requested_by', properties: ['requestedBy'] },
    { name: 'idx_export_jobs_status', properties: ['status'] },
    {
      name: 'idx_export_jobs_pending',
      expression: "create index idx_export_jobs_pending on export_jobs(created_at) where status in ('pending', 'processing')",
    },
  ],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    requestedBy: () => p.manyToOne(Developer).ref().nullable().fieldName('requested_by').deleteRule('no action').updateRule('no action'),
    exportType: p.string().length(100),
    format: p.string().length(20),
    config: p.json<Record<string, unknown>>().defaultRaw(`'{}'`).nullable(),
    status: p.string().length(50).$type<ExportStatus>().defaultRaw(`'pending'`).nullable(),
    filePath: p.text().nullable(),
    fileSizeBytes: p.bigint('number').nullable(),
    errorMessage: p.text().nullable(),
    createdAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date()),
    completedAt: p.datetime().columnType('timestamptz').nullable(),
    expiresAt: p.datetime().columnType('timestamptz').nullable(),
  },
});
export type IExportJob = InferEntity<typeof ExportJob>;
