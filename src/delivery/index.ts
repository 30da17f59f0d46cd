/** Incidents: the signed incident webhook (mounted by the board), recording one, listing them with the deployment each is attributed to. */
export { INCIDENT_SIGNATURE_HEADER, INCIDENT_WEBHOOK_PATH, registerIncidentWebhook } from './incident-webhook.js';
export { incidentBody, recentIncidents, recordIncident, type IncidentBody } from './incidents.js';
