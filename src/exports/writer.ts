import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { publish, tempPathFor } from '../lib/atomic-file.js';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import QueryStream from 'pg-query-stream';
import { discardPgClient, pgArray, setTransactionSetting, toPgPlaceholders } from '../db/sql.js';
import type { ExportFormat, ExportQuery } from './definitions.js';

/** int8 (count, sum) as JS numbers: exact below 2^53, which row counts and line totals stay under. */
const TYPES = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 20 ? (v: string) => Number(v) : (pg.types.getTypeParser as (o: number, f?: string) => (v: string) => unknown)(oid, format),
};

export interface WriteResult {
  path: string;
  bytes: number;
  rows: number;
}

/**
 * Stream a query into a file — CSV as PostgreSQL's own COPY output, JSON from a server-side cursor
 * in batches; either way with backpressure, so memory stays bounded whatever the row count. The
 * bytes land in a temporary file in the same directory, are fsync'd, and only then renamed to
 * `finalName`, so a reader never sees a half-written export.
 */
export async function streamExport(opts: {
  client: pg.PoolClient | pg.Client;
  query: ExportQuery;
  format: ExportFormat;
  dir: string;
  finalName: string;
  onProgress?: (rows: number) => void | Promise<void>;
  batchSize?: number;
}): Promise<WriteResult> {
  const { client, query, format, dir, finalName } = opts;
  const { tmp, final: finalPath } = await tempPathFor(dir, finalName);
  let rows: number;
  try {
    rows = format === 'csv' ? await copyCsv(client, query, tmp, opts.onProgress) : await cursorJson(client, query, tmp, opts);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await publish(tmp, finalPath);
  await opts.onProgress?.(rows);
  return { path: finalPath, bytes: (await stat(finalPath)).size, rows };
}

/** JSON from a server-side cursor, in batches, through the streaming array writer. */
async function cursorJson(
  client: pg.PoolClient | pg.Client,
  query: ExportQuery,
  tmp: string,
  opts: { onProgress?: (rows: number) => void | Promise<void>; batchSize?: number },
): Promise<number> {
  const rowsStream = client.query(
    new QueryStream(toPgPlaceholders(query.sql), query.params, { batchSize: opts.batchSize ?? 1000, types: TYPES } as never),
  ) as unknown as Readable;
  let rows = 0;
  const counter = new Transform({
    objectMode: true,
    transform(row, _enc, done) {
      rows += 1;
      if (opts.onProgress && rows % 10_000 === 0) {
        // Through a promise even when it throws synchronously: the error must fail the pipeline.
        Promise.resolve(rows)
          .then(opts.onProgress)
          .then(() => done(null, row), done);
      } else done(null, row);
    },
  });
  await pipeline(rowsStream, counter, jsonEncoder(query.columns), createWriteStream(tmp));
  return rows;
}

/**
 * CSV straight from PostgreSQL: `COPY (query) TO STDOUT WITH (FORMAT csv, HEADER)` piped to the file,
 * about as fast as PostgreSQL can produce it, with no per-cell JavaScript (the query itself
 * neutralises formulas: `csvSafe`). COPY takes no bind parameters, and user values must never be
 * spliced into SQL text, so each parameter is bound into a transaction-local setting
 * (`set_config(?, ?, true)`) and the query reads it back with `current_setting`.
 */
async function copyCsv(
  client: pg.PoolClient | pg.Client,
  query: ExportQuery,
  tmp: string,
  onProgress?: (rows: number) => void | Promise<void>,
): Promise<number> {
  if (!query.csvSafe) throw new Error('CSV exports need a query built with { csvSafe: true }');
  await client.query('BEGIN');
  let copying = false;
  try {
    for (const [i, value] of query.params.entries()) {
      await setTransactionSetting(client, `aexy_export.p${i + 1}`, settingValue(value));
    }
    const text = toPgPlaceholders(query.sql).replace(/\$(\d+)/g, (_, n: string) => `current_setting('aexy_export.p${n}')`);
    const copy = client.query(copyTo(`COPY (${text}) TO STDOUT WITH (FORMAT csv, HEADER)`));
    copying = true;
    await pipeline(copy, rowCounter(onProgress), createWriteStream(tmp));
    copying = false;
    await client.query('COMMIT');
    return copy.rowCount ?? 0;
  } catch (err) {
    // A COPY cut short (the file could not be written, progress could not be recorded) leaves the
    // connection mid-protocol: PostgreSQL is still sending rows, and a ROLLBACK sent on it would
    // wait for ever. Close that connection instead; the server rolls back, the pool replaces it.
    if (copying) discardPgClient(client, err as Error);
    else await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** A bind value as the text PostgreSQL will cast back (`::uuid[]`, `::timestamptz`, …). */
function settingValue(value: unknown): string {
  if (Array.isArray(value)) return pgArray(value as (string | number)[]);
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * Counts CSV records as they stream by (newlines outside quoted fields, minus the header) to report
 * progress every 10,000 rows; the bytes pass through untouched.
 */
function rowCounter(onProgress?: (rows: number) => void | Promise<void>): Transform {
  let quoted = false;
  let lines = 0;
  let reported = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      // Every `"` opens or closes a quoted stretch (an escaped `""` closes and reopens it); line feeds
      // between stretches end records. Searched for by indexOf, not looked at byte by byte in JavaScript;
      // the next line feed is kept across stretches, so no stretch searches again what another searched.
      let lf = chunk.indexOf(0x0a);
      for (let i = 0; i < chunk.length;) {
        const quote = chunk.indexOf(0x22, i);
        if (!quoted) {
          if (lf !== -1 && lf < i) lf = chunk.indexOf(0x0a, i);
          const end = quote === -1 ? chunk.length : quote;
          for (; lf !== -1 && lf < end; lf = chunk.indexOf(0x0a, lf + 1)) lines++;
        }
        if (quote === -1) break;
        quoted = !quoted;
        i = quote + 1;
      }
      const rows = Math.max(0, lines - 1);
      if (onProgress && rows - reported >= 10_000) {
        reported = rows - (rows % 10_000);
        // Through a promise even when it throws synchronously: the error must fail the pipeline.
        Promise.resolve(reported)
          .then(onProgress)
          .then(() => done(null, chunk), done);
      } else done(null, chunk);
    },
  });
}

/** A JSON array written row by row: `[` row `,` row … `]`, never the whole array in memory. */
function jsonEncoder(columns: string[]) {
  let first = true;
  return new Transform({
    writableObjectMode: true,
    transform(row: Record<string, unknown>, _enc, done) {
      const picked: Record<string, unknown> = {};
      for (const c of columns) picked[c] = c === 'languages' && typeof row[c] === 'string' ? JSON.parse(row[c] as string) : row[c];
      const chunk = (first ? '[\n' : ',\n') + JSON.stringify(picked);
      first = false;
      done(null, chunk);
    },
    flush(done) {
      done(null, first ? '[]\n' : '\n]\n');
    },
  });
}
