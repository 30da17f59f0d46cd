import { Migration } from '@mikro-orm/migrations';

/**
 * slack_notification_keys: the idempotency key of each attempt logged in slack_notification_logs
 * (a contract table, so the key lives beside it). Every attempt of one notification carries the
 * same key, and so does the message Slack stores (its metadata): a retry finds what an earlier,
 * interrupted attempt already posted instead of posting it again.
 */
export class Migration20261125060000SlackNotificationKeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE slack_notification_keys (
    log_id UUID PRIMARY KEY REFERENCES slack_notification_logs(id) ON DELETE CASCADE,
    idempotency_key VARCHAR(255) NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_slack_notification_keys_key ON slack_notification_keys(idempotency_key);
`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS slack_notification_keys;');
  }
}
