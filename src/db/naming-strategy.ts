import { UnderscoreNamingStrategy } from '@mikro-orm/core';

/**
 * Name constraints the way PostgreSQL itself does (`<table>_<cols>_fkey`, `_key`, `_pkey`), which is
 * what the schema contract's DDL produces. With MikroORM's own `_foreign`/`_unique` suffixes the
 * schema comparator would see every constraint as renamed.
 */
export class PostgresNamingStrategy extends UnderscoreNamingStrategy {
  override indexName(tableName: string, columns: string[], type: 'primary' | 'foreign' | 'unique' | 'index' | 'sequence' | 'check'): string {
    const table = tableName.includes('.') ? tableName.split('.').pop()! : tableName;
    const cols = columns.join('_');
    switch (type) {
      case 'primary':
        return `${table}_pkey`;
      case 'foreign':
        return `${table}_${cols}_fkey`;
      case 'unique':
        return `${table}_${cols}_key`;
      case 'index':
        return `idx_${table}_${cols}`;
      default:
        return super.indexName(tableName, columns, type);
    }
  }
}
