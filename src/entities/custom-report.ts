import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Developer } from './developer.js';
import { ScheduledReport } from './scheduled-report.js';

export interface ReportWidget {
  type: string;
  metric: string;
  config?: Record<string, unknown>;
  position?: Record<string, unknown>;
}

export interface ReportFilters {
  date_range?: { start?: string; end?: string; days?: number };
  team_ids?: string[];
  developer_ids?: string[];
}

/** A user-defined report: widgets over metrics, with filters. */
export const CustomReport = defineEntity({
  name: 'CustomReport',
  tableName: 'custom_reports',
  indexes: [{ name: 'idx_custom_reports_creator_id', properties: ['creator'] }],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    creator: () => p.manyToOne(Developer).ref().nullable().deleteRule('no action').updateRule('no action'),
    organizationId: p.uuid().nullable(),
    name: p.string().length(255),
    description: p.text().nullable(),
    widgets: p.json<ReportWidget[]>().defaultRaw(`'[]'`).nullable(),
    filters: p.json<ReportFilters>().defaultRaw(`'{}'`).nullable(),
    layout: p.json<Record<string, unknown>>().defaultRaw(`'{}'`).nullable(),
    isTemplate: p.boolean().defaultRaw('false').nullable(),
    isPublic: p.boolean().defaultRaw('false').nullable(),
    createdAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    schedules: () => p.oneToMany(ScheduledReport).mappedBy('report'),
  },
});
export type ICustomReport = InferEntity<typeof CustomReport>;
