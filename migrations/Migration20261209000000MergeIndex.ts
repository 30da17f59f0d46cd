import { Migration } from '@mikro-orm/migrations';

/**
 * Counting many people's commits fast (bench (d)):
 * - `idx_commit_graph_merges`, the merge commits alone: `counted_commits` leaves merges out with an
 *   anti-join on commit_graph per commit, which on the partial index probes the merges' entries only;
 * - `counted_commits_wide`, the same rows as `counted_commits`, merges and bots left out through
 *   hashed lookups (`NOT IN`: the merges and the bots read once per statement, each commit a hash
 *   probe) instead of a probe of an index per commit. The metrics read it for scopes of many people
 *   (an organization, a large team), where a window holds many commits; the per-commit probes stay
 *   cheaper for one person's few. Both columns the lookups compare are primary keys (never NULL), so
 *   NOT IN means exactly NOT EXISTS; a commit of no developer is counted in both.
 */
export class Migration20261209000000MergeIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql('CREATE INDEX idx_commit_graph_merges ON commit_graph (sha) WHERE is_merge;');
    this.addSql(`
CREATE VIEW counted_commits_wide AS
SELECT c.* FROM commits c
 WHERE c.sha NOT IN (SELECT g.sha FROM commit_graph g WHERE g.is_merge)
   AND (c.developer_id IS NULL OR c.developer_id NOT IN (SELECT b.developer_id FROM developer_bots b));
`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP VIEW IF EXISTS counted_commits_wide;');
    this.addSql('DROP INDEX IF EXISTS idx_commit_graph_merges;');
  }
}
