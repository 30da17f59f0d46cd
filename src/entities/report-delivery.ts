import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A scheduled report's slot on one channel (email, slack): claimed before sending, then sent. */
export const ReportDelivery = defineEntity({
  name: 'ReportDelivery',
  tableName: 'report_deliveries',
  properties: {
    scheduledReportId: p.uuid().primary(),
    slot: p.datetime().columnType('timestamptz').primary(),
    channel: p.string().length(10).primary(),
    status: p.string().length(10),
    jobId: p.string().length(255).nullable(),
    claimedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    sentAt: p.datetime().columnType('timestamptz').nullable(),
  },
});
export type IReportDelivery = InferEntity<typeof ReportDelivery>;
