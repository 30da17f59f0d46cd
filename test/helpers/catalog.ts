import { readFileSync } from 'node:fs';
import pg from 'pg';

export const CONTRACT_TABLES = [
  'developers',
  'teams',
  'commits',
  'pull_requests',
  'code_reviews',
  'career_roles',
  'learning_paths',
  'learning_milestones',
  'custom_reports',
  'scheduled_reports',
  'export_jobs',
  'predictive_insights',
  'slack_integrations',
  'slack_notification_logs',
];

/** The SQL of the schema contract: every ```sql block of docs/database-schema.md, in order. */
export function contractSql(path = new URL('../../docs/database-schema.md', import.meta.url)): string {
  const md = readFileSync(path, 'utf8');
  return [...md.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
}

export interface CatalogSnapshot {
  columns: string[];
  constraints: string[];
  indexes: string[];
}

/**
 * Everything about the contract tables that the DDL determines, as sorted lines, so two
 * databases can be compared with a plain deep-equal and a difference reads like a diff.
 */
export async function catalogSnapshot(url: string, tables = CONTRACT_TABLES): Promise<CatalogSnapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query(
      `SELECT table_name, column_name, ordinal_position, data_type, udt_name, character_maximum_length,
              numeric_precision, is_nullable, column_default
         FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = ANY($1)`,
      [tables],
    );
    const constraints = await client.query(
      `SELECT c.conrelid::regclass::text AS table_name, c.conname, c.contype, pg_get_constraintdef(c.oid) AS def
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = 'public' AND c.conrelid::regclass::text = ANY($1)`,
      [tables],
    );
    const indexes = await client.query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1)`, [tables]);
    return {
      columns: columns.rows
        .map(
          (r) =>
            `${r.table_name}.${r.column_name} #${r.ordinal_position} ${r.data_type}/${r.udt_name}` +
            `(${r.character_maximum_length ?? r.numeric_precision ?? ''}) nullable=${r.is_nullable} default=${r.column_default}`,
        )
        .sort(),
      constraints: constraints.rows.map((r) => `${r.table_name} ${r.conname} ${r.contype} ${r.def}`).sort(),
      indexes: indexes.rows.map((r) => `${r.indexname}: ${r.indexdef}`).sort(),
    };
  } finally {
    await client.end();
  }
}
