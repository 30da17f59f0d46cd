import type { EntityManager } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * Bulk loading at COPY speed: rows are streamed with `COPY … FROM STDIN` (text format), straight
 * into their table (`copyInto`) or into a temporary table of the transaction (`copyLoad`), which the
 * caller's `INSERT … SELECT … ON CONFLICT` statements then read, one statement per target table. A
 * value is encoded once, the server parses no JSON, and an upsert keeps every rule the caller
 * writes in SQL (idempotent, update only what changed).
 */

/** One column of a load table: its name and PostgreSQL type. */
export type LoadColumn = readonly [name: string, type: string];

/** A value as COPY's text format reads it: `\N` for null, backslash, newline, carriage return and tab escaped. */
export function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const s =
    typeof value === 'string'
      ? value
      : typeof value === 'object' && !(value instanceof Date)
        ? JSON.stringify(value)
        : String(value instanceof Date ? value.toISOString() : value);
  return ESCAPABLE.test(s) ? s.replace(ESCAPES, (c) => ESCAPE[c]!) : s;
}

const ESCAPABLE = /[\\\n\r\t]/;
const ESCAPES = /[\\\n\r\t]/g;
const ESCAPE: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A PostgreSQL array literal of plain tokens (shas, numbers) for a `text[]`/`varchar[]` load column. */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

/**
 * The node-postgres connection of an EntityManager's open transaction (knex hands the transaction's
 * own connection back and releases nothing), for COPY, which the ORM's query API cannot stream.
 */
export async function transactionClient(em: EntityManager): Promise<PoolClient> {
  const trx = em.getTransactionContext() as { client?: { acquireConnection(): Promise<PoolClient> } } | undefined;
  if (!trx?.client) throw new Error('a bulk load runs inside a transaction (em.transactional)');
  return trx.client.acquireConnection();
}

/** The temporary table `table` of `columns`, created for the transaction, emptied if an earlier load of the same transaction left rows. */
export async function loadTable(client: PoolClient, table: string, columns: readonly LoadColumn[]): Promise<void> {
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${table} (${columns.map(([n, t]) => `${n} ${t}`).join(', ')}) ON COMMIT DROP; TRUNCATE ${table}`);
}

/**
 * Streams `rows` into the temporary table `table` (created for the transaction, emptied if an
 * earlier load of the same transaction left rows) with COPY.
 */
export async function copyLoad(client: PoolClient, table: string, columns: readonly LoadColumn[], rows: Iterable<readonly unknown[]>): Promise<void> {
  await loadTable(client, table, columns);
  await copyInto(
    client,
    table,
    columns.map(([n]) => n),
    rows,
  );
}

/** A row as a line of COPY's text format (values copyText'd, tab-separated, ending in a line feed). */
export function copyLine(row: readonly unknown[]): string {
  return row.map(copyText).join('\t') + '\n';
}

/** Streams `rows` into `table`'s `columns` with `COPY … FROM STDIN` (text format), 256 KB a write. */
export async function copyInto(client: PoolClient, table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>): Promise<void> {
  await copyLines(
    client,
    table,
    columns,
    (function* () {
      for (const row of rows) yield copyLine(row);
    })(),
  );
}

/** Streams lines already in COPY's text format (copyLine) into `table`'s `columns`, 256 KB a write. */
export async function copyLines(client: PoolClient, table: string, columns: readonly string[], lines: Iterable<string>): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  let buffer = '';
  for (const line of lines) {
    buffer += line;
    if (buffer.length >= 262_144) {
      if (!stream.write(buffer)) await new Promise((r) => stream.once('drain', r));
      buffer = '';
    }
  }
  stream.end(buffer);
  await done;
}

/**
 * Runs `fn` under a savepoint of the client's open transaction: its error rolls back what it wrote
 * (and only that) and is returned; the transaction goes on.
 */
export async function underSavepoint(client: PoolClient, fn: () => Promise<void>): Promise<unknown> {
  await client.query('SAVEPOINT bulk_load');
  try {
    await fn();
    await client.query('RELEASE SAVEPOINT bulk_load');
    return undefined;
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT bulk_load');
    return err;
  }
}
