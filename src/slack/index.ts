/** The Slack feature's public module: integrations and their settings, posting once to an organization's Slack, and the report message. */
export { isSlackChannelId } from './channels.js';
export { installSlackIntegration, integrationSettings, reencryptSecrets } from './integrations.js';
export { agreementAlertMessage, reportSummaryMessage, type AgreementAlert } from './messages.js';
export { postOnce, type Posted } from './post-once.js';
export { NO_INTEGRATION, organizationSlack, postDirect, postMessage, type OrganizationSlack, type PostResult } from './post.js';
export { leadsOf, notificationSettingsSchema, routeOf, type NotificationSettings } from './settings.js';
