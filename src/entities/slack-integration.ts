import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Developer } from './developer.js';
import { SlackNotificationLog } from './slack-notification-log.js';

/**
 * A Slack workspace connection. bot_token holds ciphertext only (see src/crypto); it is
 * `hidden` so serialisation (logs, JSON) never carries it and `lazy` so it is loaded on demand.
 */
export const SlackIntegration = defineEntity({
  name: 'SlackIntegration',
  tableName: 'slack_integrations',
  indexes: [{ name: 'idx_slack_integrations_team_id', properties: ['teamId'] }],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    organizationId: p.uuid(),
    /** Slack team (workspace) id */
    teamId: p.string().length(50).unique(),
    teamName: p.string().length(255).nullable(),
    botToken: p.text().hidden().lazy(),
    botUserId: p.string().length(50).nullable(),
    appId: p.string().length(50).nullable(),
    scope: p.text().nullable(),
    defaultChannelId: p.string().length(50).nullable(),
    notificationSettings: p.json<Record<string, unknown>>().defaultRaw(`'{}'`).nullable(),
    /** {slack_user_id: developer_id} */
    userMappings: p.json<Record<string, string>>().defaultRaw(`'{}'`).nullable(),
    isActive: p.boolean().defaultRaw('true').nullable(),
    installedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date()),
    installedBy: () => p.manyToOne(Developer).ref().nullable().fieldName('installed_by').deleteRule('no action').updateRule('no action'),
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
    logs: () => p.oneToMany(SlackNotificationLog).mappedBy('integration'),
  },
});
export type ISlackIntegration = InferEntity<typeof SlackIntegration>;
