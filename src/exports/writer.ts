import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { publish, tempPathFor } from '../lib/atomic-file.js';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import pg from 'pg';
import QueryStream from 'pg-query-stream';
import type { ExportFormat, ExportQuery } from './definitions.js';

/**
 * A spreadsheet evaluates a cell that starts with = + - @ (or a tab / carriage return) as a formula
 * (CSV injection, OWASP). Such text cells are prefixed with an apostrophe, which spreadsheets show as
 * plain text. Numbers are not strings and are left alone.
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

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
 * Stream a query into a file: rows come from a server-side cursor in batches (memory stays bounded
 * whatever the row count), go through the CSV or JSON encoder with backpressure, land in a temporary
 * file in the same directory, are fsync'd, and only then renamed to `finalName`, so a reader never
 * sees a half-written export.
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
  const rowsStream = client.query(new QueryStream(query.sql, query.params, { batchSize: opts.batchSize ?? 1000, types: TYPES } as never)) as unknown as Readable;

  let rows = 0;
  const counter = new Transform({
    objectMode: true,
    transform(row, _enc, done) {
      rows += 1;
      if (opts.onProgress && rows % 10_000 === 0) {
        Promise.resolve(opts.onProgress(rows)).then(() => done(null, row), done);
      } else done(null, row);
    },
  });
  const encoder = format === 'csv' ? csvEncoder(query.columns) : jsonEncoder(query.columns);
  try {
    await pipeline(rowsStream, counter, encoder, createWriteStream(tmp));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await publish(tmp, finalPath);
  await opts.onProgress?.(rows);
  return { path: finalPath, bytes: (await stat(finalPath)).size, rows };
}

function csvEncoder(columns: string[]) {
  return stringify({
    header: true,
    columns,
    cast: {
      string: (v) => neutraliseFormula(v),
      date: (v) => v.toISOString(),
      boolean: (v) => (v ? 'true' : 'false'),
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
