import { randomBytes } from 'node:crypto';
import { rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoardServer } from '../src/board/server.js';
import { downloadUrl, reportFileUrl } from '../src/lib/download-links.js';
import { createLogger } from '../src/lib/logger.js';
import { useTestWorld } from './hooks.js';

/** `GET /exports/:id?expires=…&sig=…`: only a link signed for that export and expiry, only while it lasts, only our files. */
describe('signed export downloads', () => {
  let app: FastifyInstance;
  const secret = randomBytes(32).toString('hex');
  const settings = { PUBLIC_URL: 'https://aexy.example.com', DOWNLOAD_SIGNING_SECRET: secret };
  const w = useTestWorld({ settings: { BOARD_USER: 'ops', BOARD_PASSWORD: 'correct horse', ...settings } });
  const inHour = () => new Date(Date.now() + 3_600_000);
  const path = (url: string | null) => url!.replace(settings.PUBLIC_URL, '');

  async function exportRow(filePath: string, format = 'json', status = 'completed'): Promise<string> {
    return w.rows.exportJob({
      export_type: 'team_metrics',
      format,
      status,
      file_path: filePath,
      completed_at: new Date(),
      expires_at: new Date(Date.now() + 3_600_000),
    });
  }

  beforeAll(async () => {
    app = await buildBoardServer({ config: w.config, orm: w.db.orm, log: createLogger('silent') });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('serves the file to a valid link, without the board credentials, as an attachment of its type', async () => {
    const body = JSON.stringify({ teams: [{ name: 'Core', commits: 42 }] });
    await writeFile(join(w.dir, 'team_metrics-1.json'), body);
    const id = await exportRow(join(w.dir, 'team_metrics-1.json'));
    const res = await app.inject({ url: path(downloadUrl(settings, id, inHour())) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="team_metrics-\d{4}-\d\d-\d\d\.json"$/);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.body).toBe(body);
  });

  it("the board's request log never holds a link's signature (a logged link would be a bearer credential)", async () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const logged = await buildBoardServer({
      config: { ...w.config, EXPORT_DIR: w.dir },
      orm: w.db.orm,
      log: createLogger('info', {}, { format: 'json', destination }),
    });
    try {
      await writeFile(join(w.dir, 'logged.json'), '{}');
      const url = new URL(downloadUrl(settings, await exportRow(join(w.dir, 'logged.json')), inHour())!);
      const sig = url.searchParams.get('sig')!;
      expect((await logged.inject({ url: `${url.pathname}${url.search}` })).statusCode).toBe(200);
      const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.req);
      expect(requests.map((l) => l.req.url)).toEqual([`${url.pathname}?expires=${url.searchParams.get('expires')}&sig=%5Bredacted%5D`]);
      expect(lines.join('')).not.toContain(sig);
    } finally {
      await logged.close();
    }
  });

  it('403 for a link not signed for this export and expiry; 410 once expired or once the file is gone', async () => {
    await writeFile(join(w.dir, 'a.json'), '{}');
    const a = await exportRow(join(w.dir, 'a.json'));
    const b = await exportRow(join(w.dir, 'a.json'));
    const url = new URL(downloadUrl(settings, a, inHour())!);
    const get = (u: string) => app.inject({ url: u });

    // Another export's id with this signature, a later expiry, a changed signature, no signature, another key.
    expect((await get(`/exports/${b}${url.search}`)).statusCode).toBe(403);
    const later = new URLSearchParams(url.search);
    later.set('expires', String(Number(later.get('expires')) + 3600));
    expect((await get(`${url.pathname}?${later}`)).statusCode).toBe(403);
    const flipped = new URLSearchParams(url.search);
    flipped.set('sig', `${flipped.get('sig')!.slice(0, -2)}AA`);
    expect((await get(`${url.pathname}?${flipped}`)).statusCode).toBe(403);
    expect((await get(url.pathname)).statusCode).toBe(403);
    const otherKey = downloadUrl({ ...settings, DOWNLOAD_SIGNING_SECRET: 'another key of at least 32 characters' }, a, inHour());
    expect((await get(path(otherKey))).statusCode).toBe(403);

    const expired = await get(path(downloadUrl(settings, a, new Date(Date.now() - 1000))));
    expect(expired.statusCode).toBe(410);
    expect(expired.json()).toEqual({ error: 'this download link has expired' });

    await rm(join(w.dir, 'a.json'));
    const gone = await get(url.pathname + url.search);
    expect(gone.statusCode).toBe(410);
    expect(gone.json()).toEqual({ error: 'this export is no longer available' });
  });

  it('never serves a file outside EXPORT_DIR, nor an export that is not completed', async () => {
    const outside = join(tmpdir(), `aexy-secret-${randomBytes(4).toString('hex')}.json`);
    await writeFile(outside, '{"secret":true}');
    await symlink(outside, join(w.dir, 'link.json'));
    try {
      for (const id of [await exportRow(outside), await exportRow(join(w.dir, 'link.json')), await exportRow(join(w.dir, '..', 'x.json'))]) {
        const res = await app.inject({ url: path(downloadUrl(settings, id, inHour())) });
        expect(res.statusCode).toBe(410);
        expect(res.body).not.toContain('secret');
      }
      await writeFile(join(w.dir, 'p.json'), '{}');
      const pending = await exportRow(join(w.dir, 'p.json'), 'json', 'processing');
      expect((await app.inject({ url: path(downloadUrl(settings, pending, inHour())) })).statusCode).toBe(410);
    } finally {
      await rm(outside, { force: true });
    }
  });

  it("a delivered report's file: under the name it was delivered with; the name is signed too; only report files of EXPORT_DIR", async () => {
    const file = 'report-4b0e7f9a-2026-11-23T09-00-00-000Z.pdf';
    await writeFile(join(w.dir, file), '%PDF-1.3 a report');
    const url = new URL(reportFileUrl(settings, file, 'engineering-weekly-2026-11-23.pdf', inHour())!);
    const ok = await app.inject({ url: url.pathname + url.search });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('application/pdf');
    expect(ok.headers['content-disposition']).toBe('attachment; filename="engineering-weekly-2026-11-23.pdf"');
    expect(ok.body).toBe('%PDF-1.3 a report');

    const renamed = new URLSearchParams(url.search);
    renamed.set('as', 'invoice.pdf');
    expect((await app.inject({ url: `${url.pathname}?${renamed}` })).statusCode).toBe(403);
    // Not a report file name (a path, another file): not found, whatever the signature.
    for (const name of ['..%2Fsecret.pdf', 'export-1.csv', '.report-x.pdf.0123456789ab.tmp']) {
      const forged = new URL(reportFileUrl(settings, decodeURIComponent(name), 'x.pdf', inHour())!);
      expect((await app.inject({ url: `/reports/files/${name}${forged.search}` })).statusCode, name).toBe(404);
    }
    await rm(join(w.dir, file));
    expect((await app.inject({ url: url.pathname + url.search })).statusCode).toBe(410);
  });

  it('is not served at all without DOWNLOAD_SIGNING_SECRET', async () => {
    const plain = await buildBoardServer({
      config: { ...w.config, DOWNLOAD_SIGNING_SECRET: undefined, EXPORT_DIR: w.dir },
      orm: w.db.orm,
      log: createLogger('silent'),
    });
    try {
      await writeFile(join(w.dir, 'n.json'), '{}');
      const id = await exportRow(join(w.dir, 'n.json'));
      expect((await plain.inject({ url: path(downloadUrl(settings, id, inHour())) })).statusCode).toBe(404);
      expect(downloadUrl({ PUBLIC_URL: settings.PUBLIC_URL }, id, inHour())).toBeNull();
    } finally {
      await plain.close();
    }
  });
});
