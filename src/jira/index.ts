/** Jira Cloud: installing an organization's site, its projects' repositories, and its issues' sync (jobs/jira-sync). */
export { installJiraSite } from './install.js';
export { jiraProjects, mapJiraProject } from './projects.js';
export { jiraOrganizations } from './queries.js';
