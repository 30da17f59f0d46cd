import { Migration } from '@mikro-orm/migrations';
import { DELIVERY_INCIDENTS_V1 } from './Migration20261207010000Incidents.js';

/**
 * Links from work to issues (src/github/sync/issue-refs.ts finds the references):
 * - pull_request_lifecycles.head_ref: a pull request's branch (a Jira key in it links it);
 * - issue_references: each reference a pull request (title, branch, body) or a commit (message)
 *   makes, once per source and target, with whether it closes the issue and where it was found;
 * - issue_links: the references that reach a stored issue (GitHub: its repository and number; Jira:
 *   its key), once per issue and source, a closing reference first;
 * - issue_category_mappings: an organization's mapping of issue types and labels to investment
 *   categories (feature, bug, tech debt, operations, other), over the documented defaults.
 * delivery_incidents gains the issues labelled `incident` (or of type Incident).
 */
/** The delivery_incidents view of this migration: the first one and the issues that are incidents (a later migration extends it). */
export const DELIVERY_INCIDENTS_V2 = `${DELIVERY_INCIDENTS_V1}
UNION ALL
SELECT 'issue', i.id::text, i.repository_full_name,
       (SELECT d.id FROM counted_deployments d WHERE d.repository_full_name = i.repository_full_name AND d.succeeded_at <= i.created_at
         ORDER BY d.succeeded_at DESC, d.external_id DESC LIMIT 1),
       NULL, i.title, i.created_at, i.closed_at
  FROM issues i
 WHERE i.repository_full_name IS NOT NULL
   AND (coalesce(lower(i.issue_type) = 'incident', false) OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(i.labels) l WHERE lower(l) = 'incident'))`;

export class Migration20261207040000IssueLinks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
ALTER TABLE pull_request_lifecycles ADD COLUMN head_ref VARCHAR(255);
CREATE TABLE issue_references (
    source_kind VARCHAR(10) NOT NULL,
    source_id VARCHAR(64) NOT NULL,
    target VARCHAR(300) NOT NULL,
    ref_repository VARCHAR(255),
    ref_number INTEGER,
    jira_key VARCHAR(64),
    closing BOOLEAN NOT NULL,
    found_in VARCHAR(10) NOT NULL,
    PRIMARY KEY (source_kind, source_id, target)
);
CREATE INDEX idx_issue_references_github ON issue_references (lower(ref_repository), ref_number) WHERE ref_repository IS NOT NULL;
CREATE INDEX idx_issue_references_jira ON issue_references (jira_key) WHERE jira_key IS NOT NULL;
CREATE TABLE issue_category_mappings (
    organization_id UUID NOT NULL,
    match VARCHAR(100) NOT NULL,
    category VARCHAR(20) NOT NULL,
    PRIMARY KEY (organization_id, match)
);
CREATE VIEW issue_links AS
SELECT DISTINCT ON (x.issue_id, x.source_kind, x.source_id) x.* FROM (
  SELECT i.id AS issue_id, r.source_kind, r.source_id, r.closing, r.found_in
    FROM issue_references r JOIN issues i ON i.source = 'github' AND lower(i.repository_full_name) = lower(r.ref_repository) AND i.issue_key = r.ref_number::text
  UNION ALL
  SELECT i.id, r.source_kind, r.source_id, r.closing, r.found_in
    FROM issue_references r JOIN issues i ON i.source = 'jira' AND i.issue_key = r.jira_key
) x
ORDER BY x.issue_id, x.source_kind, x.source_id, x.closing DESC;
CREATE OR REPLACE VIEW delivery_incidents AS
${DELIVERY_INCIDENTS_V2};
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
CREATE OR REPLACE VIEW delivery_incidents AS
${DELIVERY_INCIDENTS_V1};
DROP VIEW IF EXISTS issue_links;
DROP TABLE IF EXISTS issue_category_mappings;
DROP TABLE IF EXISTS issue_references;
ALTER TABLE pull_request_lifecycles DROP COLUMN IF EXISTS head_ref;
`);
  }
}
