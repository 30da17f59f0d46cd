/**
 * A PostgreSQL array literal for a single bound parameter (`= ANY(?::text[])`). MikroORM's query
 * binding expands a JS array into a list of parameters, which is not what ANY() wants.
 */
export function pgArray(values: readonly (string | number)[]): string {
  return `{${values.map((v) => (typeof v === 'number' ? String(v) : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClientBase, PoolClient } from 'pg';

/**
 * Run SQL with server-side bind parameters, inside the EntityManager's transaction if it has one.
 * MikroORM's `execute` interpolates parameters into the SQL text on the client, which is fine for
 * small statements but costs more than the database work for the sync's large JSONB batches
 * (measured by `npm run bench`); this goes straight to knex with real bindings.
 */
export async function sql<T = Record<string, unknown>>(em: EntityManager, text: string, params: readonly unknown[] = []): Promise<T[]> {
  const query = em
    .getConnection()
    .getKnex()
    .raw(text, params as never);
  const trx = em.getTransactionContext();
  if (trx) query.transacting(trx);
  const result = (await query) as { rows: T[] };
  return result.rows;
}

/**
 * Borrow a raw node-postgres client from MikroORM's pool for streaming (cursors, COPY), which the
 * ORM's query API does not expose; it is always given back.
 */
export async function withPgClient<T>(em: EntityManager, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const knexClient = em.getConnection().getKnex().client as {
    acquireConnection(): Promise<PoolClient>;
    releaseConnection(c: unknown): Promise<void>;
  };
  const client = await knexClient.acquireConnection();
  try {
    return await fn(client);
  } finally {
    await knexClient.releaseConnection(client);
  }
}

/**
 * Close a borrowed client's connection at once and make the pool replace it: for a connection left
 * mid-protocol (a COPY cut short), where any further query (even ROLLBACK) would wait for ever.
 * PostgreSQL rolls the open transaction back when the connection goes.
 */
export function discardPgClient(client: ClientBase, reason: Error): void {
  const c = client as unknown as { __knex__disposed?: unknown; connection?: { stream?: { destroy(): void } } };
  c.__knex__disposed = reason;
  c.connection?.stream?.destroy();
}
