import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config/index.js';
import { exportForDownload, ownExportFile } from '../exports/index.js';
import { checkSigned } from '../lib/download-links.js';

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  pdf: 'application/pdf',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `GET /exports/:id?expires=…&sig=…` (and `GET /reports/files/:file?as=…&expires=…&sig=…`, a delivered report's): an export's file for whoever holds its signed link (the Slack
 * button its requester got), outside the board's basic auth. 403 for a link that was not signed for
 * this export and expiry, 410 once it has expired or the file is no longer kept; the file is streamed
 * (never read whole) with its content type, as an attachment. Not served at all without
 * DOWNLOAD_SIGNING_SECRET. Workers and this process must see the same EXPORT_DIR (a shared volume).
 */
export function registerExportDownloads(app: FastifyInstance, config: AppConfig, orm: MikroORM): void {
  app.get<{ Params: { id: string }; Querystring: { expires?: string; sig?: string } }>('/exports/:id', async (req, reply) => {
    const secret = config.DOWNLOAD_SIGNING_SECRET;
    const { id } = req.params;
    if (!secret || !UUID.test(id)) return reply.code(404).send({ error: 'not found' });
    const verdict = checkSigned(secret, ['export', id], req.query.expires, req.query.sig);
    if (verdict !== 'ok') return refuse(reply, verdict);
    const row = await exportForDownload(orm.em.fork(), id);
    const file = row?.status === 'completed' && row.file_path ? await ownExportFile(config.EXPORT_DIR, row.file_path) : null;
    if (!row || !file) return reply.code(410).send({ error: 'this export is no longer available' });
    const day = (row.completed_at ? new Date(row.completed_at) : new Date()).toISOString().slice(0, 10);
    // Rows may come from another application: only safe characters reach the header.
    return sendFile(reply, file, row.format, `${row.export_type.replace(/[^\w-]/g, '_')}-${day}.${row.format.replace(/[^a-z]/g, '')}`);
  });

  // A scheduled report's rendered file (`report-<id>-<time>.<format>` in EXPORT_DIR), under the name it was delivered with.
  app.get<{ Params: { file: string }; Querystring: { as?: string; expires?: string; sig?: string } }>('/reports/files/:file', async (req, reply) => {
    const secret = config.DOWNLOAD_SIGNING_SECRET;
    const { file } = req.params;
    const as = req.query.as ?? '';
    if (!secret || !/^report-[\w.-]{1,200}\.(pdf|csv|json)$/.test(file) || !/^[\w.-]{1,120}$/.test(as)) return reply.code(404).send({ error: 'not found' });
    const verdict = checkSigned(secret, ['report-file', file, as], req.query.expires, req.query.sig);
    if (verdict !== 'ok') return refuse(reply, verdict);
    const real = await ownExportFile(config.EXPORT_DIR, join(config.EXPORT_DIR, file));
    if (!real) return reply.code(410).send({ error: 'this report file is no longer available' });
    return sendFile(reply, real, file.split('.').pop()!, as);
  });
}

/** A link not signed for what it names (403), or signed but expired (410). */
function refuse(reply: FastifyReply, verdict: 'forged' | 'expired') {
  return verdict === 'forged'
    ? reply.code(403).send({ error: 'this download link is not valid' })
    : reply.code(410).send({ error: 'this download link has expired' });
}

/** A file streamed as an attachment of its format's type, kept out of shared caches. */
function sendFile(reply: FastifyReply, path: string, format: string, filename: string) {
  return reply
    .type(CONTENT_TYPES[format] ?? 'application/octet-stream')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'private, no-store')
    .send(createReadStream(path));
}
