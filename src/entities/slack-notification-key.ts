import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { SlackNotificationLog } from './slack-notification-log.js';

/** The idempotency key of one logged Slack attempt; every attempt of one notification shares it. */
export const SlackNotificationKey = defineEntity({
  name: 'SlackNotificationKey',
  tableName: 'slack_notification_keys',
  indexes: [{ name: 'idx_slack_notification_keys_key', properties: ['idempotencyKey'] }],
  properties: {
    log: () => p.oneToOne(SlackNotificationLog).primary().ref().deleteRule('cascade').updateRule('no action').fieldName('log_id'),
    idempotencyKey: p.string().length(255),
    startedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export type ISlackNotificationKey = InferEntity<typeof SlackNotificationKey>;
