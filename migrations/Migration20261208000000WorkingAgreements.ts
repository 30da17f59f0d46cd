import { Migration } from '@mikro-orm/migrations';

/**
 * Team working agreements (src/agreements/): a team's target on a metric — `pr_size <= 400` lines
 * for 80 % of merged pull requests, `pickup_time <= 8` hours, `merged_without_review = 0`,
 * `deployment_frequency >= 1` a day — with the Slack channel its alerts go to, paused or not. Its
 * alerts are posted at most once per item and state through slack_notification_keys.
 */
export class Migration20261208000000WorkingAgreements extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE working_agreements (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL,
    team_id UUID NOT NULL,
    name VARCHAR(200) NOT NULL,
    metric VARCHAR(64) NOT NULL,
    comparison VARCHAR(2) NOT NULL,
    target NUMERIC NOT NULL,
    share NUMERIC,
    channel VARCHAR(32),
    paused_at TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    CONSTRAINT working_agreements_team_name_key UNIQUE (team_id, name)
);
CREATE INDEX idx_working_agreements_organization ON working_agreements (organization_id);
`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS working_agreements;');
  }
}
