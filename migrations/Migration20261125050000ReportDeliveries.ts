import { Migration } from '@mikro-orm/migrations';

/**
 * report_deliveries: one row per scheduled report, slot and channel, claimed in PostgreSQL before the
 * report is sent there and marked sent after, so two jobs for one slot (a scheduler tick and a manual
 * run, a board retry, a stalled copy) cannot both send it.
 */
export class Migration20261125050000ReportDeliveries extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE report_deliveries (
    scheduled_report_id UUID NOT NULL,
    slot TIMESTAMP WITH TIME ZONE NOT NULL,
    channel VARCHAR(10) NOT NULL,
    status VARCHAR(10) NOT NULL,
    job_id VARCHAR(255),
    claimed_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    sent_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (scheduled_report_id, slot, channel)
);
`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS report_deliveries;');
  }
}
