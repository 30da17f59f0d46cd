/** Jira Cloud: installing an organization's site, and its issues' sync (jobs/jira-sync). */
export { installJiraSite } from './install.js';
export { jiraOrganizations } from './queries.js';
