import { Migration } from '@mikro-orm/migrations';

/**
 * deployments: a repository's deployments as its source records them (the Deployments API, GitHub
 * Actions workflow runs, or merges to the default branch), one row per deployment of a source, with
 * the environment it went to, the sha it deployed, and its state: the latest status, when it first
 * succeeded and when it reached a final state (success, failure, error). `is_production` is the
 * environment matched against the production pattern when the row was written.
 * deployment_shipments and deployment_commits: what a successful production deployment shipped, from
 * git: `git rev-list <its sha> ^<the previous successful production deployment's sha>` (a rollback or
 * a redeploy ships nothing), with whether its sha was in the repository at all.
 * deployment_settings: where a repository's deployments are read from (null: chosen by the sync,
 * which records its choice), and the workflow name or file pattern of the workflow-runs source.
 */
export class Migration20261207000000Deployments extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE deployments (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    repository_full_name VARCHAR(255) NOT NULL,
    source VARCHAR(20) NOT NULL,
    external_id BIGINT NOT NULL,
    environment VARCHAR(255) NOT NULL,
    is_production BOOLEAN NOT NULL,
    sha VARCHAR(40) NOT NULL,
    ref VARCHAR(255),
    status VARCHAR(20) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    succeeded_at TIMESTAMP WITH TIME ZONE,
    finished_at TIMESTAMP WITH TIME ZONE,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    CONSTRAINT deployments_source_external_id_key UNIQUE (repository_full_name, source, external_id)
);
CREATE INDEX idx_deployments_production ON deployments (repository_full_name, created_at) WHERE is_production;
CREATE TABLE deployment_shipments (
    deployment_id UUID PRIMARY KEY,
    previous_sha VARCHAR(40),
    commits INTEGER NOT NULL,
    sha_known BOOLEAN NOT NULL,
    computed_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);
CREATE TABLE deployment_commits (
    deployment_id UUID NOT NULL,
    sha VARCHAR(40) NOT NULL,
    PRIMARY KEY (deployment_id, sha)
);
CREATE INDEX idx_deployment_commits_sha ON deployment_commits (sha);
CREATE TABLE deployment_settings (
    repository_full_name VARCHAR(255) PRIMARY KEY,
    source VARCHAR(20),
    workflow_pattern VARCHAR(255),
    chosen_source VARCHAR(20),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);
`);
  }

  override async down(): Promise<void> {
    this.addSql(
      'DROP TABLE IF EXISTS deployment_settings; DROP TABLE IF EXISTS deployment_commits; DROP TABLE IF EXISTS deployment_shipments; DROP TABLE IF EXISTS deployments;',
    );
  }
}
