import { Migration } from '@mikro-orm/migrations';
import { DELIVERY_INCIDENTS_V1 } from './Migration20261207010000Incidents.js';
import { DELIVERY_INCIDENTS_V2 } from './Migration20261207040000IssueLinks.js';

/**
 * Incidents from issues, as an organization configures them, and Jira's among them:
 * - issue_terms(type, labels): what an issue's type and labels say, lower case, a `type:`/`kind/`
 *   prefix dropped (the investment mapping and the incident matches read the same terms);
 * - issue_incident_matches: the terms that make an organization's issue an incident (none stored:
 *   `incident`, so type Incident and the label incident);
 * - jira_project_repositories: the repository a Jira project's incidents are attributed to (the
 *   deployment live there when one opened); one of the organization's own repositories, checked
 *   again by the view, so another organization's numbers are never reached;
 * - jira_sites.reconciled_at: when the stored issues were last checked against the site (a deleted
 *   issue leaves no trace in a search);
 * - a Jira issue's external_id is `<organization id>:<issue id>`: issue ids are a site's own, so two
 *   organizations' sites have the same ones.
 */
export class Migration20261207060000IssueIncidents extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE FUNCTION issue_terms(issue_type TEXT, labels JSONB) RETURNS SETOF TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT lower(issue_type) WHERE issue_type IS NOT NULL
  UNION
  SELECT regexp_replace(lower(l), '^(type|kind) *[:/] *', '') FROM jsonb_array_elements_text(coalesce(labels, '[]'::jsonb)) l
$$;
CREATE TABLE issue_incident_matches (
    organization_id UUID NOT NULL,
    match VARCHAR(100) NOT NULL,
    PRIMARY KEY (organization_id, match)
);
CREATE TABLE jira_project_repositories (
    organization_id UUID NOT NULL,
    project_key VARCHAR(255) NOT NULL,
    repository_full_name VARCHAR(255) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    PRIMARY KEY (organization_id, project_key)
);
ALTER TABLE jira_sites ADD COLUMN reconciled_at TIMESTAMP WITH TIME ZONE;
UPDATE issues SET external_id = organization_id::text || ':' || external_id WHERE source = 'jira' AND organization_id IS NOT NULL AND external_id NOT LIKE '%:%';
CREATE OR REPLACE VIEW delivery_incidents AS
${DELIVERY_INCIDENTS_V1}
UNION ALL
SELECT 'issue', i.id::text, r.repository_full_name,
       (SELECT d.id FROM counted_deployments d WHERE d.repository_full_name = r.repository_full_name AND d.succeeded_at <= i.created_at
         ORDER BY d.succeeded_at DESC, d.external_id DESC LIMIT 1),
       NULL, i.title, i.created_at, i.closed_at
  FROM issues i
  CROSS JOIN LATERAL (
    SELECT coalesce(i.repository_full_name,
                    (SELECT jp.repository_full_name FROM jira_project_repositories jp
                       JOIN tracked_repositories tr ON tr.full_name = jp.repository_full_name AND tr.organization_id = jp.organization_id
                      WHERE jp.organization_id = i.organization_id AND jp.project_key = i.project_key)) AS repository_full_name,
           coalesce(i.organization_id, (SELECT tr.organization_id FROM tracked_repositories tr WHERE tr.full_name = i.repository_full_name)) AS organization_id) r
 WHERE r.repository_full_name IS NOT NULL
   AND EXISTS (SELECT 1 FROM issue_terms(i.issue_type, i.labels) t(m)
                WHERE t.m IN (SELECT im.match FROM issue_incident_matches im WHERE im.organization_id = r.organization_id)
                   OR (t.m = 'incident' AND NOT EXISTS (SELECT 1 FROM issue_incident_matches im WHERE im.organization_id = r.organization_id)));
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
CREATE OR REPLACE VIEW delivery_incidents AS
${DELIVERY_INCIDENTS_V2};
UPDATE issues SET external_id = split_part(external_id, ':', 2) WHERE source = 'jira' AND external_id LIKE '%:%';
ALTER TABLE jira_sites DROP COLUMN IF EXISTS reconciled_at;
DROP TABLE IF EXISTS jira_project_repositories;
DROP TABLE IF EXISTS issue_incident_matches;
DROP FUNCTION IF EXISTS issue_terms(TEXT, JSONB);
`);
  }
}
