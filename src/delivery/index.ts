/** Incidents: the signed incident webhook (mounted by the board), recording one, listing them with the deployment each is attributed to. */
export { registerIncidentWebhook } from './incident-webhook.js';
export { recentIncidents, recordIncident } from './incidents.js';
