import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { SlackIntegration } from './slack-integration.js';

/** One attempt to post to Slack: pending → sent | failed. */
export const SlackNotificationLog = defineEntity({
  name: 'SlackNotificationLog',
  tableName: 'slack_notification_logs',
  indexes: [{ name: 'idx_slack_notification_logs_integration_id', properties: ['integration'] }],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    integration: () => p.manyToOne(SlackIntegration).ref().nullable().deleteRule('no action').updateRule('no action'),
    channelId: p.string().length(50).nullable(),
    messageTs: p.string().length(50).nullable(),
    notificationType: p.string().length(50).nullable(),
    contentSummary: p.text().nullable(),
    /** sent, failed, pending */
    status: p.string().length(20).nullable(),
    errorMessage: p.text().nullable(),
    sentAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date()),
  },
});
export type ISlackNotificationLog = InferEntity<typeof SlackNotificationLog>;
