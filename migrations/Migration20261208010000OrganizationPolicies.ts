import { Migration } from '@mikro-orm/migrations';

/**
 * An organization's policy for numbers about people (src/organizations/policy.ts): whether numbers
 * per person are shown to all who read its reports and exports, to its teams' leads only, or to no
 * one (`individual_metrics`), and the fewest people a team-level number may be about
 * (`min_group_size`). No row: the documented defaults (all, 3). Values are checked where they are
 * written and again where they are read (another program's value that does not fit fails closed:
 * nothing per person, the default group size).
 */
export class Migration20261208010000OrganizationPolicies extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE organization_policies (
    organization_id UUID PRIMARY KEY,
    individual_metrics VARCHAR(10) NOT NULL DEFAULT 'all',
    min_group_size INTEGER NOT NULL DEFAULT 3,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);
`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS organization_policies;');
  }
}
