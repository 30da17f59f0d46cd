import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { CustomReport } from './custom-report.js';

/** A delivery schedule for a custom report (daily, weekly on day_of_week, monthly on day_of_month). */
export const ScheduledReport = defineEntity({
  name: 'ScheduledReport',
  tableName: 'scheduled_reports',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    report: () => p.manyToOne(CustomReport).ref().nullable().deleteRule('no action').updateRule('no action'),
    /** daily, weekly, monthly */
    schedule: p.string().length(50),
    /** 0-6 (Sunday = 0) for weekly */
    dayOfWeek: p.integer().nullable(),
    /** 1-31 for monthly */
    dayOfMonth: p.integer().nullable(),
    /** "HH:MM" */
    timeUtc: p.string().length(5).nullable(),
    recipients: p.array().columnType('text[]').defaultRaw(`'{}'`).nullable(),
    /** email, slack, both */
    deliveryMethod: p.string().length(50).nullable(),
    /** pdf, csv, json */
    exportFormat: p.string().length(20).nullable(),
    isActive: p.boolean().defaultRaw('true').nullable(),
    lastSentAt: p.datetime().columnType('timestamptz').nullable(),
    nextRunAt: p.datetime().columnType('timestamptz').nullable(),
    createdAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date()),
  },
});
export type IScheduledReport = InferEntity<typeof ScheduledReport>;
