/**
 * A PostgreSQL array literal for a single bound parameter (`= ANY(?::text[])`). MikroORM's query
 * binding expands a JS array into a list of parameters, which is not what ANY() wants.
 */
export function pgArray(values: readonly (string | number)[]): string {
  return `{${values.map((v) => (typeof v === 'number' ? String(v) : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClientBase, PoolClient, QueryResultRow } from 'pg';

/** A node-postgres client or pool. */
export interface PgQueryable {
  query<R extends QueryResultRow>(text: string, params: unknown[]): Promise<{ rows: R[] }>;
}

/** Where a statement runs: an EntityManager (its transaction, if it has one) or a node-postgres client or pool. */
export type SqlTarget = EntityManager | PgQueryable;

/**
 * The one way SQL is run: `?` placeholders, server-side bind parameters, the rows back.
 * - On an EntityManager: through knex, inside the EntityManager's transaction if it has one.
 *   (MikroORM's `execute` interpolates parameters into the SQL text on the client, which costs more
 *   than the database work for the sync's large JSONB batches, measured by `npm run bench`.)
 * - On a node-postgres client or pool of its own (cursors, COPY, the metrics): the `?` are numbered
 *   into PostgreSQL's `$n` (toPgPlaceholders).
 */
export async function sql<T = Record<string, unknown>>(target: SqlTarget, text: string, params: readonly unknown[] = []): Promise<T[]> {
  if (!('getConnection' in target)) return (await target.query<T & QueryResultRow>(toPgPlaceholders(text), [...params])).rows;
  const query = target
    .getConnection()
    .getKnex()
    .raw(toKnexPlaceholders(text), params as never);
  const trx = target.getTransactionContext();
  if (trx) query.transacting(trx);
  const result = (await query) as { rows: T[] };
  return result.rows;
}

/** Runs one statement with `?` placeholders on a target: a runner handed to code that reads but does not choose its connection. */
export type Query = <T extends Record<string, unknown>>(text: string, params: unknown[]) => Promise<T[]>;

/** `sql` bound to a target (the career evidence on an EntityManager or a metric's client; the metrics on their client). */
export const queryOn =
  (target: SqlTarget): Query =>
  (text, params) =>
    sql(target, text, params);

/** A setting of the client's current transaction (`set_config(name, value, true)`): how a statement that takes no parameters (COPY) is given them. */
export async function setTransactionSetting(client: PgQueryable, name: string, value: string): Promise<void> {
  await sql(client, 'SELECT set_config(?, ?, true)', [name, value]);
}

/** Rewrite each `?` of a statement: outside a quoted literal or identifier with `outside()`, inside with `inside`. */
function rewriteMarks(text: string, outside: () => string, inside: string): string {
  let out = '';
  let quote: string | null = null;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch === '?' ? inside : ch;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    out += ch === '?' ? outside() : ch;
  }
  return out;
}

/**
 * The same `?` placeholders for a node-postgres client (which speaks PostgreSQL's `$n`): each `?`
 * outside a quoted literal or identifier becomes the next `$n`. A value used several times is bound
 * once and referred to by name in the SQL (a `WITH` row), not bound again by position.
 * (PostgreSQL's jsonb `?` operators are therefore not available: use jsonb_exists.)
 */
export function toPgPlaceholders(text: string): string {
  let n = 0;
  return rewriteMarks(text, () => `$${++n}`, '?');
}

/** Each `?` outside a quoted literal or identifier replaced by what `fn` gives for its place (0 for the first). */
export function replacePlaceholders(text: string, fn: (index: number) => string): string {
  let n = 0;
  return rewriteMarks(text, () => fn(n++), '?');
}

/** The same placeholders for knex (an EntityManager): a `?` inside a quoted literal or identifier escaped (`\?`), so it stays text there too. */
export function toKnexPlaceholders(text: string): string {
  return rewriteMarks(text, () => '?', '\\?');
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
 * A runner of single statements on MikroORM's pool, each on a connection borrowed for it and given
 * back: statements of several callers run at once (a report's widgets), up to the pool's size. No
 * transaction spans two statements.
 */
export function pooledQueries(em: EntityManager): PgQueryable {
  return {
    query: async <R extends QueryResultRow>(text: string, params: unknown[]) => withPgClient(em, (c) => c.query<R>(text, params)),
  };
}

/**
 * A runner that runs each distinct statement (text and values) once and hands every caller of the
 * same statement its rows: for reads that see the same data (one report's widgets, built together),
 * never for writes.
 */
export function onceEach(target: PgQueryable): PgQueryable {
  const seen = new Map<string, Promise<{ rows: QueryResultRow[] }>>();
  return {
    query: <R extends QueryResultRow>(text: string, params: unknown[]) => {
      const key = JSON.stringify([text, params]);
      let result = seen.get(key);
      if (!result) {
        result = target.query(text, params);
        seen.set(key, result);
        // A failure is not kept: the next caller asks again.
        result.catch(() => seen.delete(key));
      }
      return result as Promise<{ rows: R[] }>;
    },
  };
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

/** Whether the database answers (`SELECT 1`); throws what it answered otherwise. */
export async function ping(target: SqlTarget): Promise<void> {
  await sql(target, 'SELECT 1');
}
