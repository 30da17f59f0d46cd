import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPgClient } from '../src/db/sql.js';
import { exportQuery } from '../src/exports/definitions.js';
import { processExport } from '../src/exports/process.js';
import { streamExport } from '../src/exports/writer.js';
import { exportCleanup } from '../src/jobs/index.js';
import { attachRepository } from './helpers/repositories.js';
import { useTestWorld } from './hooks.js';

/** Exports when things go wrong: a write that fails mid-COPY, rows the platform wrote, orphans. */
const ORG = '0a0a0a0a-1b1b-4c2c-8d3d-4e4e4e4e4e4e';

describe('export hardening', () => {
  const w = useTestWorld({ settings: { EXPORT_ORPHAN_MINUTES: '1' }, harness: true });
  let outside: string;

  beforeAll(async () => {
    outside = await mkdtemp(join(tmpdir(), 'aexy-not-exports-'));
    const dev = await w.rows.developer({ githubId: 1, login: 'ann' });
    await w.rows.team({ name: 'API', organizationId: ORG, developerIds: [dev] });
    await w.db.sql.query(
      `INSERT INTO commits (sha, developer_id, repository_name, repository_full_name, message, additions, committed_at)
       SELECT md5(g::text) || substr(md5((g + 1)::text), 1, 8), $1, 'api', 'acme/api', 'change ' || g, g % 50, timestamptz '2026-01-01' + g * interval '1 minute'
         FROM generate_series(1, 25000) g`,
      [dev],
    );
    await attachRepository(w.db, 'acme/api', ORG);
  });
  afterAll(async () => {
    await rm(outside, { recursive: true, force: true });
  });

  const idleInTransaction = async () =>
    (await w.db.sql.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%'`, [w.db.name])).rows[0].n;

  it('a CSV export whose write fails mid-COPY fails at once: connection closed, no transaction left open, no temp file', async () => {
    const query = exportQuery('commits', { organization_id: ORG }, new Date('2026-02-01T00:00:00Z'), { csvSafe: true });
    const em = w.db.orm.em.fork();
    const failing = withPgClient(em, (client) =>
      streamExport({
        client,
        query,
        format: 'csv',
        dir: w.dir,
        finalName: 'commits-broken.csv',
        // What a full disk or a Redis that refuses job.updateProgress looks like from here.
        onProgress: () => {
          throw new Error('ENOSPC: no space left on device, write');
        },
      }),
    );
    await expect(failing).rejects.toThrow(/ENOSPC/);
    expect((await readdir(w.dir)).filter((f) => f.endsWith('.tmp') || f.startsWith('commits-broken'))).toEqual([]);
    // The server notices the closed connection and rolls its transaction back (bounded wait).
    for (let i = 0; i < 100 && (await idleInTransaction()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await idleInTransaction()).toBe(0);
    // The pool replaced the connection: the next export works.
    const ok = await withPgClient(w.db.orm.em.fork(), (client) => streamExport({ client, query, format: 'csv', dir: w.dir, finalName: 'commits-ok.csv' }));
    expect(ok.rows).toBe(25000);
  });

  it('a CSV export reports progress by records, whatever line feeds and quotes the quoted fields hold', async () => {
    // Every third record's text holds line feeds, an escaped quote and a comma; PostgreSQL quotes it.
    const query = {
      columns: ['n', 'text'],
      sql: `SELECT g AS n, CASE WHEN g % 3 = 0 THEN 'one' || chr(10) || 'say "' || g || '", then' || chr(10) || chr(10) || 'end' ELSE 'plain ' || g END AS text
              FROM generate_series(1, ?::int) g ORDER BY g`,
      params: [25_000],
      csvSafe: true,
    };
    const reported: number[] = [];
    const result = await withPgClient(w.db.orm.em.fork(), (client) =>
      streamExport({ client, query, format: 'csv', dir: w.dir, finalName: 'multiline.csv', onProgress: (rows) => void reported.push(rows) }),
    );
    expect(result.rows).toBe(25_000);
    expect(reported).toEqual([10_000, 20_000, 25_000]);
    await rm(result.path);
  });

  it('a shutdown stops a streaming export at its next 10,000 rows: no file, no temp file, the row pending again', async () => {
    const id = await w.rows.exportJob({ status: 'pending', config: { organization_id: ORG } });
    const shutdown = new AbortController();
    shutdown.abort(new Error('the worker is shutting down'));
    const progress: unknown[] = [];
    // The service called directly, without a job: its helpers, with the worker already stopping.
    await expect(
      processExport(
        {
          em: w.db.orm.em.fork(),
          config: w.config,
          signal: shutdown.signal,
          attempt: 1,
          isLastAttempt: false,
          progress: async (p: unknown) => void progress.push(p),
          scrub: (t: string) => t,
          step: async () => {},
          enqueueAfter: () => {},
        },
        id,
      ),
    ).rejects.toThrow('the worker is shutting down');
    expect(progress).toEqual([]); // stopped at the first progress point, before reporting it
    expect((await readdir(w.dir)).filter((f) => f.includes(id))).toEqual([]);
    const { rows: after } = await w.db.sql.query(`SELECT status, error_message, file_path FROM export_jobs WHERE id = $1`, [id]);
    expect(after[0]).toEqual({ status: 'pending', error_message: 'interrupted by a worker shutdown; resumes on the next worker', file_path: null });
  });

  it('the cleanup deletes only regular files inside EXPORT_DIR; other rows are noted, never block the rest', async () => {
    const victim = join(outside, 'precious.txt');
    await writeFile(victim, 'not ours');
    await mkdir(join(w.dir, 'a-directory'));
    await writeFile(join(w.dir, 'ours.csv'), 'a,b\n');
    await writeFile(join(w.dir, 'linked.csv'), 'x');
    const insert = async (filePath: string) =>
      w.rows.exportJob({ status: 'completed', file_path: filePath, completed_at: new Date(), expires_at: new Date(Date.now() - 60_000) });
    const ids = {
      outside: await insert(victim),
      traversal: await insert(join(w.dir, '..', outside.split('/').pop()!, 'precious.txt')),
      directory: await insert(join(w.dir, 'a-directory')),
      missing: await insert(join(w.dir, 'gone.csv')),
      ours: await insert(join(w.dir, 'ours.csv')),
    };
    // A temp file of a write that died 20 minutes ago, and one being written now.
    const stale = join(w.dir, '.commits-x.csv.0123456789ab.tmp');
    const fresh = join(w.dir, '.commits-y.csv.ba9876543210.tmp');
    await writeFile(stale, 'partial');
    await writeFile(fresh, 'partial');
    const old = new Date(Date.now() - 20 * 60_000);
    await utimes(stale, old, old);
    // A row left processing by a job BullMQ gave up on (no live job for it).
    const lost = await w.rows.exportJob({ status: 'processing', created_at: new Date(Date.now() - 10 * 60_000) });

    const done = await w.h.settle(await w.h.pool.producer.enqueue(exportCleanup, {}));
    expect(done.failedReason).toBeUndefined();
    expect(done.returnvalue).toMatchObject({ expired: 5, refused: 3, lost: 1, tempFiles: 1 });

    expect(await stat(victim)).toBeTruthy();
    expect((await stat(join(w.dir, 'a-directory'))).isDirectory()).toBe(true);
    await expect(stat(join(w.dir, 'ours.csv'))).rejects.toThrow(/ENOENT/);
    await expect(stat(stale)).rejects.toThrow(/ENOENT/);
    expect(await stat(fresh)).toBeTruthy();
    const { rows } = await w.db.sql.query(`SELECT id, status, file_path, error_message FROM export_jobs WHERE id = ANY($1::uuid[])`, [Object.values(ids)]);
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId[ids.outside]).toMatchObject({ status: 'expired', file_path: null, error_message: expect.stringMatching(/outside EXPORT_DIR/) });
    expect(byId[ids.traversal]).toMatchObject({ status: 'expired', error_message: expect.stringMatching(/outside EXPORT_DIR/) });
    expect(byId[ids.directory]).toMatchObject({ status: 'expired', error_message: expect.stringMatching(/not a regular file/) });
    expect(byId[ids.missing]).toMatchObject({ status: 'expired', error_message: null });
    expect(byId[ids.ours]).toMatchObject({ status: 'expired', error_message: null });
    const { rows: lostRow } = await w.db.sql.query(`SELECT status, error_message FROM export_jobs WHERE id = $1`, [lost]);
    expect(lostRow[0]).toMatchObject({ status: 'failed', error_message: expect.stringMatching(/was lost/) });
  });

  it('report files no export row owns (scheduled deliveries) are removed after EXPORT_TTL_HOURS', async () => {
    const id = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
    const name = (stamp: string) => `report-${id}-${stamp}.pdf`;
    const [stale, owned, fresh] = [name('2026-01-01T09-00-00-000Z'), name('2026-01-02T09-00-00-000Z'), name('2026-01-03T09-00-00-000Z')];
    for (const f of [stale, owned, fresh]) await writeFile(join(w.dir, f), '%PDF-');
    const old = new Date(Date.now() - 80 * 3_600_000); // the default retention is 72 h
    await utimes(join(w.dir, stale), old, old);
    await utimes(join(w.dir, owned), old, old);
    // A report export still within its own expiry owns its file.
    await w.rows.exportJob({
      export_type: 'report',
      format: 'pdf',
      status: 'completed',
      file_path: join(w.dir, owned),
      expires_at: new Date(Date.now() + 86_400_000),
    });
    const done = await w.h.settle(await w.h.pool.producer.enqueue(exportCleanup, {}));
    expect(done.returnvalue).toMatchObject({ reportFiles: 1 });
    await expect(stat(join(w.dir, stale))).rejects.toThrow(/ENOENT/);
    expect(await stat(join(w.dir, owned))).toBeTruthy();
    expect(await stat(join(w.dir, fresh))).toBeTruthy();
  });
});
