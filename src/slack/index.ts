/** The Slack feature's public module: integrations and their settings, posting once to an organization's Slack, and the report message. */
export { isSlackChannelId } from './channels.js';
export { installSlackIntegration, integrationSettings, reencryptSecrets } from './integrations.js';
export { reportSummaryMessage } from './messages.js';
export { postOnce, type Posted } from './post-once.js';
export { NO_INTEGRATION, organizationSlack } from './post.js';
export { notificationSettingsSchema, routeOf, type NotificationSettings } from './settings.js';
