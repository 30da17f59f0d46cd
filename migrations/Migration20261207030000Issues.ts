import { Migration } from '@mikro-orm/migrations';

/**
 * The schema diagram's Issue entity, in the schema's style (src/github/sync/issue-stream.ts writes
 * GitHub's; Jira's come later): one row per issue of a source (`github`: a repository's issue, pull
 * requests left out; `jira`), its author and assignees as developers, title, state and state reason,
 * type, labels, priority, story points, and its moments (created, started, resolved, closed).
 * issue_transitions: its status history (GitHub: closed and reopened; Jira: changelog transitions).
 */
export class Migration20261207030000Issues extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE issues (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    source VARCHAR(20) NOT NULL,
    external_id VARCHAR(64) NOT NULL,
    issue_key VARCHAR(64) NOT NULL,
    repository_full_name VARCHAR(255),
    project_key VARCHAR(255),
    developer_id UUID,
    assignee_ids UUID[] DEFAULT '{}',
    title TEXT,
    state VARCHAR(20) NOT NULL,
    state_reason VARCHAR(30),
    issue_type VARCHAR(100),
    labels JSONB DEFAULT '[]',
    priority VARCHAR(50),
    story_points NUMERIC,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE,
    resolved_at TIMESTAMP WITH TIME ZONE,
    closed_at TIMESTAMP WITH TIME ZONE,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    synced_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    CONSTRAINT issues_source_external_id_key UNIQUE (source, external_id)
);
CREATE INDEX idx_issues_repository_created ON issues (repository_full_name, created_at);
CREATE INDEX idx_issues_developer_id ON issues (developer_id);
CREATE TABLE issue_transitions (
    issue_id UUID NOT NULL,
    at TIMESTAMP WITH TIME ZONE NOT NULL,
    to_status VARCHAR(100) NOT NULL,
    from_status VARCHAR(100),
    status_category VARCHAR(20) NOT NULL,
    PRIMARY KEY (issue_id, at, to_status)
);
`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS issue_transitions; DROP TABLE IF EXISTS issues;');
  }
}
